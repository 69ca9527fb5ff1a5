// CorralContainer: see ../../README.md

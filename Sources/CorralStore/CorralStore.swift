// CorralStore: see ../../README.md

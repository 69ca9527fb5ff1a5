// CorralReplication: see ../../README.md

// CorralSimulation: see ../../README.md

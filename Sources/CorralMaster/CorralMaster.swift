// CorralMaster

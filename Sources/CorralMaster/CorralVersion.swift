// `CorralVersion` lives in CorralModel (the agent reports it too); re-exported so that code
// importing only CorralMaster still sees it.
@_exported import enum CorralModel.CorralVersion

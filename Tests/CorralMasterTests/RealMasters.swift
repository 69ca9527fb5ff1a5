import CorralTestSupport
import Testing

/// Every suite that runs real `corral master` processes, one test at a time: a few quorums at
/// once on two cores starve each other's heartbeats and elections, and a test must not depend
/// on how busy the machine is.
@Suite(.serialized, .offCooperativePool) enum RealMasters {}

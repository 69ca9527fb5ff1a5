import CorralModel

/// An outstanding offer: the allocator's decision and the Mesos offer sent for it.
struct LiveOffer: Sendable, Equatable {
    var decision: OfferDecision
    var offer: Offer

    var frameworkID: FrameworkID { offer.frameworkID }
    var agentID: AgentID { offer.agentID }
    var resources: Resources { Resources(offer.resources) }
}

/// The Mesos offer ID (the allocator's own `OfferID` is a number).
typealias MesosOfferID = CorralModel.OfferID

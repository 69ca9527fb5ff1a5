import CorralModel

/// An outstanding offer: the allocator's decision and the Mesos offer sent for it.
package struct LiveOffer: Sendable, Equatable {
    package var decision: OfferDecision
    package var offer: Offer

    package var frameworkID: FrameworkID { offer.frameworkID }
    package var agentID: AgentID { offer.agentID }
    package var resources: Resources { Resources(offer.resources) }
}

/// The Mesos offer ID (the allocator's own `OfferID` is a number).
package typealias MesosOfferID = CorralModel.OfferID

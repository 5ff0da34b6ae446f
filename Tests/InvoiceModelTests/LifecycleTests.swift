import Foundation
import Testing
@testable import InvoiceModel

@Suite("Lifecycle of the 2026 reform")
struct LifecycleTests {
    @Test("codes are the reform's")
    func codes() {
        let expected: [(LifecycleStatus, Int, String)] = [
            (.deposited, 200, "Déposée"), (.issued, 201, "Émise"), (.received, 202, "Reçue"),
            (.madeAvailable, 203, "Mise à disposition"), (.takenInCharge, 204, "Prise en charge"),
            (.approved, 205, "Approuvée"), (.partiallyApproved, 206, "Approuvée partiellement"),
            (.disputed, 207, "En litige"), (.suspended, 208, "Suspendue"), (.completed, 209, "Complétée"),
            (.refused, 210, "Refusée"), (.paymentTransmitted, 211, "Paiement transmis"), (.collected, 212, "Encaissée"),
            (.rejected, 213, "Rejetée"), (.cancelled, 220, "Annulée"),
        ]
        #expect(expected.count == LifecycleStatus.allCases.count)
        for (status, code, label) in expected {
            #expect(status.code == code)
            #expect(status.label() == label)
            #expect(LifecycleStatus(rawValue: code) == status)
        }
    }

    @Test("a recipient approves, transmits payment; the issuer collects")
    func happyPath() throws {
        var status = LifecycleStatus.deposited
        for next in Lifecycle.networkDelivery.dropFirst() {
            try Lifecycle.check(from: status, to: next, by: .platform, reason: nil)
            status = next
        }
        #expect(status == .madeAvailable)
        try Lifecycle.check(from: status, to: .approved, by: .recipient, reason: nil)
        try Lifecycle.check(from: .approved, to: .paymentTransmitted, by: .recipient, reason: nil)
        try Lifecycle.check(from: .paymentTransmitted, to: .collected, by: .issuer, reason: nil)
    }

    @Test("the other party cannot take the recipient's decisions, and vice versa")
    func actorsAreEnforced() {
        #expect(throws: LifecycleError.notAllowed(from: .madeAvailable, to: .approved, actor: .issuer)) {
            try Lifecycle.check(from: .madeAvailable, to: .approved, by: .issuer, reason: nil)
        }
        #expect(throws: LifecycleError.notAllowed(from: .approved, to: .collected, actor: .recipient)) {
            try Lifecycle.check(from: .approved, to: .collected, by: .recipient, reason: nil)
        }
        #expect(throws: LifecycleError.notAllowed(from: .suspended, to: .completed, actor: .recipient)) {
            try Lifecycle.check(from: .suspended, to: .completed, by: .recipient, reason: nil)
        }
        // Nobody but the platform moves an invoice through delivery.
        #expect(throws: LifecycleError.notAllowed(from: .deposited, to: .issued, actor: .issuer)) {
            try Lifecycle.check(from: .deposited, to: .issued, by: .issuer, reason: nil)
        }
    }

    @Test("refusal, dispute, suspension and rejection need a reason", arguments: [LifecycleStatus.refused, .disputed, .suspended])
    func reasons(_ target: LifecycleStatus) throws {
        #expect(throws: LifecycleError.reasonRequired(target)) {
            try Lifecycle.check(from: .madeAvailable, to: target, by: .recipient, reason: "  ")
        }
        try Lifecycle.check(from: .madeAvailable, to: target, by: .recipient, reason: "Quantités erronées ligne 2")
    }

    @Test("a suspended invoice is completed by the issuer, then decided again by the recipient")
    func suspendComplete() throws {
        try Lifecycle.check(from: .madeAvailable, to: .suspended, by: .recipient, reason: "Bon de commande manquant")
        try Lifecycle.check(from: .suspended, to: .completed, by: .issuer, reason: nil)
        try Lifecycle.check(from: .completed, to: .approved, by: .recipient, reason: nil)
    }

    @Test("final statuses admit no transition at all")
    func finals() {
        for final in LifecycleStatus.allCases where final.isFinal {
            for target in LifecycleStatus.allCases {
                for actor in [LifecycleActor.issuer, .recipient, .platform] {
                    #expect(Lifecycle.allowed(from: final, by: actor).isEmpty)
                    #expect(throws: LifecycleError.finalStatus(final)) {
                        try Lifecycle.check(from: final, to: target, by: actor, reason: "x")
                    }
                }
            }
        }
        #expect(Set(LifecycleStatus.allCases.filter(\.isFinal)) == [.refused, .rejected, .collected, .cancelled])
    }

    @Test("every non-final status can be left, and every status but the first can be reached")
    func graphIsConnected() {
        var reachable: Set<LifecycleStatus> = [.deposited]
        var frontier: [LifecycleStatus] = [.deposited]
        while let s = frontier.popLast() {
            for actor in [LifecycleActor.issuer, .recipient, .platform] {
                for t in Lifecycle.allowed(from: s, by: actor) where !reachable.contains(t) {
                    reachable.insert(t)
                    frontier.append(t)
                }
            }
        }
        #expect(reachable == Set(LifecycleStatus.allCases))
        for s in LifecycleStatus.allCases where !s.isFinal {
            let exits = [LifecycleActor.issuer, .recipient, .platform].flatMap { Lifecycle.allowed(from: s, by: $0) }
            #expect(!exits.isEmpty, "\(s) is a dead end")
        }
    }

    @Test("payments: partial, then full settles; overpayment and zero are refused")
    func ledger() throws {
        var ledger = PaymentLedger(amountDue: Decimal(string: "1200.50")!)
        try ledger.record(Decimal(string: "200.25")!)
        #expect(!ledger.isSettled)
        #expect(ledger.outstanding == Decimal(string: "1000.25")!)
        #expect(throws: LifecycleError.self) { try ledger.record(Decimal(string: "1000.26")!) }
        #expect(throws: LifecycleError.self) { try ledger.record(0) }
        try ledger.record(Decimal(string: "1000.25")!)
        #expect(ledger.isSettled)
        #expect(ledger.outstanding == 0)
        #expect(ledger.payments.count == 2)
    }

    @Test("errors read well in both languages")
    func messages() {
        let e = LifecycleError.notAllowed(from: .refused, to: .approved, actor: .recipient)
        #expect(e.message(.fr).contains("« Refusée » (210)"))
        #expect(e.message(.en).contains("“Refused” (210)"))
        #expect(LifecycleError.reasonRequired(.disputed).message(.fr) == "Le statut « En litige » (207) exige un motif.")
    }
}

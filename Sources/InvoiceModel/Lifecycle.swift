import Foundation

/// The life of an issued invoice, in the statuses of the French 2026 reform (CDAR lifecycle messages,
/// `urn.cpro.gouv.fr:1p0:CDV:invoice`). A draft is not in this machine: the lifecycle starts when the
/// issuer deposits the invoice (200).
public enum LifecycleStatus: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case deposited = 200          // Déposée
    case issued = 201             // Émise par la plateforme
    case received = 202           // Reçue par la plateforme
    case madeAvailable = 203      // Mise à disposition
    case takenInCharge = 204      // Prise en charge
    case approved = 205           // Approuvée
    case partiallyApproved = 206  // Approuvée partiellement
    case disputed = 207           // En litige
    case suspended = 208          // Suspendue
    case completed = 209          // Complétée
    case refused = 210            // Refusée
    case paymentTransmitted = 211 // Paiement transmis
    case collected = 212          // Encaissée
    case rejected = 213           // Rejetée
    case cancelled = 220          // Annulée

    public static func < (a: LifecycleStatus, b: LifecycleStatus) -> Bool { a.rawValue < b.rawValue }

    public var code: Int { rawValue }

    public func label(_ language: TextLanguage = .fr) -> String {
        switch language {
        case .fr:
            switch self {
            case .deposited: return "Déposée"
            case .issued: return "Émise"
            case .received: return "Reçue"
            case .madeAvailable: return "Mise à disposition"
            case .takenInCharge: return "Prise en charge"
            case .approved: return "Approuvée"
            case .partiallyApproved: return "Approuvée partiellement"
            case .disputed: return "En litige"
            case .suspended: return "Suspendue"
            case .completed: return "Complétée"
            case .refused: return "Refusée"
            case .paymentTransmitted: return "Paiement transmis"
            case .collected: return "Encaissée"
            case .rejected: return "Rejetée"
            case .cancelled: return "Annulée"
            }
        case .en:
            switch self {
            case .deposited: return "Deposited"
            case .issued: return "Issued"
            case .received: return "Received"
            case .madeAvailable: return "Made available"
            case .takenInCharge: return "Taken in charge"
            case .approved: return "Approved"
            case .partiallyApproved: return "Partially approved"
            case .disputed: return "Disputed"
            case .suspended: return "Suspended"
            case .completed: return "Completed"
            case .refused: return "Refused"
            case .paymentTransmitted: return "Payment transmitted"
            case .collected: return "Collected"
            case .rejected: return "Rejected"
            case .cancelled: return "Cancelled"
            }
        }
    }

    /// No transition leaves these: a refused, rejected or cancelled invoice is corrected by a credit
    /// note or a new invoice, never by reviving it; a collected one is done.
    public var isFinal: Bool { [.refused, .rejected, .collected, .cancelled].contains(self) }

    /// The reform requires a motive with these (and the recipient cannot act on a refusal without one).
    public var requiresReason: Bool { [.disputed, .suspended, .refused, .rejected].contains(self) }
}

/// The language of texts shown to people (French by default).
public enum TextLanguage: String, Sendable, Hashable, Codable, CaseIterable {
    case fr, en
}

/// Who asks for a change: the seller's side, the buyer's side, or the platform itself (delivery steps).
public enum LifecycleActor: String, Sendable, Hashable, Codable {
    case issuer, recipient, platform
}

/// Why a transition was refused, in words a user can act on.
public enum LifecycleError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAllowed(from: LifecycleStatus, to: LifecycleStatus, actor: LifecycleActor)
    case reasonRequired(LifecycleStatus)
    case finalStatus(LifecycleStatus)
    case invalidPayment(String)

    public var description: String { message(.fr) }

    public func message(_ language: TextLanguage) -> String {
        switch (self, language) {
        case let (.notAllowed(from, to, actor), .fr):
            let who = actor == .issuer ? "l'émetteur" : actor == .recipient ? "le destinataire" : "la plateforme"
            return "Passage de « \(from.label(.fr)) » (\(from.code)) à « \(to.label(.fr)) » (\(to.code)) impossible pour \(who)."
        case let (.notAllowed(from, to, actor), .en):
            return "The \(actor.rawValue) cannot move an invoice from “\(from.label(.en))” (\(from.code)) to “\(to.label(.en))” (\(to.code))."
        case let (.reasonRequired(s), .fr):
            return "Le statut « \(s.label(.fr)) » (\(s.code)) exige un motif."
        case let (.reasonRequired(s), .en):
            return "Status “\(s.label(.en))” (\(s.code)) requires a reason."
        case let (.finalStatus(s), .fr):
            return "La facture est « \(s.label(.fr)) » : ce statut est définitif."
        case let (.finalStatus(s), .en):
            return "The invoice is “\(s.label(.en))”: this status is final."
        case let (.invalidPayment(m), _):
            return m
        }
    }
}

/// The legal transitions, and who may make each one. Kept as data so that the UI can offer exactly
/// the actions that would be accepted.
public enum Lifecycle {
    /// Recipient decisions, allowed once the invoice is in the buyer's hands (and again after the
    /// issuer completed a suspended invoice).
    static let recipientDecisions: Set<LifecycleStatus> = [.takenInCharge, .approved, .partiallyApproved, .disputed, .suspended, .refused, .paymentTransmitted]

    static let table: [LifecycleStatus: [LifecycleActor: Set<LifecycleStatus>]] = [
        .deposited: [.platform: [.issued, .rejected], .issuer: [.cancelled]],
        .issued: [.platform: [.received, .rejected], .issuer: [.cancelled]],
        .received: [.platform: [.madeAvailable, .rejected], .issuer: [.cancelled]],
        .madeAvailable: [.recipient: recipientDecisions, .issuer: [.cancelled, .collected]],
        .takenInCharge: [.recipient: recipientDecisions.subtracting([.takenInCharge]), .issuer: [.collected]],
        .approved: [.recipient: [.paymentTransmitted, .disputed], .issuer: [.collected]],
        .partiallyApproved: [.recipient: [.paymentTransmitted, .disputed, .approved], .issuer: [.collected]],
        .disputed: [.recipient: [.approved, .partiallyApproved, .refused, .suspended], .issuer: [.cancelled]],
        .suspended: [.issuer: [.completed, .cancelled], .recipient: [.refused]],
        .completed: [.recipient: recipientDecisions, .issuer: [.collected]],
        .paymentTransmitted: [.issuer: [.collected], .recipient: [.disputed]],
    ]

    /// The statuses `actor` may move an invoice in `status` to.
    public static func allowed(from status: LifecycleStatus, by actor: LifecycleActor) -> Set<LifecycleStatus> {
        table[status]?[actor] ?? []
    }

    /// Checks one transition; throws a `LifecycleError` that says why it is refused.
    public static func check(from: LifecycleStatus, to: LifecycleStatus, by actor: LifecycleActor, reason: String?) throws(LifecycleError) {
        if from.isFinal { throw .finalStatus(from) }
        guard allowed(from: from, by: actor).contains(to) else { throw .notAllowed(from: from, to: to, actor: actor) }
        if to.requiresReason, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .reasonRequired(to)
        }
    }

    /// The statuses an invoice delivered on the network goes through at once, in order: the platform
    /// deposits, issues, receives and makes it available in the recipient's inbox.
    public static let networkDelivery: [LifecycleStatus] = [.deposited, .issued, .received, .madeAvailable]
}

/// Payments the issuer records against an invoice. The invoice becomes `collected` when they cover
/// the amount due; partial payments leave its status as it is.
public struct PaymentLedger: Sendable, Hashable, Codable {
    public var amountDue: Decimal
    public private(set) var payments: [Decimal]

    public init(amountDue: Decimal, payments: [Decimal] = []) {
        self.amountDue = amountDue
        self.payments = payments
    }

    public var paid: Decimal { payments.reduce(0, +) }
    public var outstanding: Decimal { max(0, amountDue - paid) }
    public var isSettled: Bool { paid >= amountDue }

    /// Adds a payment; refuses zero, negative, and more than what is still outstanding.
    public mutating func record(_ amount: Decimal, language: TextLanguage = .fr) throws(LifecycleError) {
        guard amount > 0 else {
            throw .invalidPayment(language == .fr ? "Le montant d'un paiement doit être positif." : "A payment amount must be positive.")
        }
        guard amount <= outstanding else {
            let text = language == .fr
                ? "Le paiement (\(amount)) dépasse le reste à encaisser (\(outstanding))."
                : "The payment (\(amount)) exceeds the amount outstanding (\(outstanding))."
            throw .invalidPayment(text)
        }
        payments.append(amount)
    }
}

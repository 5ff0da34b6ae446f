import Testing
@testable import FacturX

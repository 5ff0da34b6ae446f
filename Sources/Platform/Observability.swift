import Foundation
import Hummingbird
import Metrics
import Prometheus

/// Metrics for Prometheus at `/metrics`: HTTP requests (Hummingbird's metrics middleware) and
/// Facteur's own counters, all in one registry.
public enum Observability {
    public static let registry = PrometheusCollectorRegistry()

    /// Makes swift-metrics report into the registry. Once per process: `facteur serve` calls it.
    public static func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    static func register(on router: Router<AppRequestContext>, engine: DatabaseEngine) {
        registry.makeGauge(name: "facteur_info", labels: [("database", engine.rawValue)]).set(to: 1.0)
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

import Foundation
import Testing

/// `scaling curve --law multi-power|momentum` and `scaling schedule` end to end.
struct ScheduleCLITests {
    let data = repositoryRoot.appendingPathComponent("Examples/data/multipower_25m.csv").path
    let candidates = repositoryRoot.appendingPathComponent("Examples/data/wsd_candidates.csv").path
    let published = "L0=3.04045406,A=0.52468604,alpha=0.50786857,B=363.78751622,C=2.06560812,beta=0.58279013,gamma=0.64142257"

    @Test func curveWithEveryParameterGivenFitsNothing() throws {
        let r = try scaling(["curve", data, "--law", "multi-power", "--fix", published, "--run", "wsdcon_18", "--steps", "8000,12000", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        for key in ["points", "final", "mean_relative_error", "parameters"] { #expect(json[key] != nil, "missing \(key)") }
        let points = try #require(json["points"] as? [[String: Any]])
        #expect(points.count == 96)  // the run's 95 logged points after warmup and one --steps step between them
        for p in points {
            for key in ["step", "predicted", "interval"] { #expect(p[key] != nil, "missing \(key)") }
        }
        #expect(points.contains { $0["step"] as? Double == 12000 && $0["actual"] == nil })
        #expect(points.contains { $0["actual"] as? Double != nil })
        let final = try #require(json["final"] as? [String: Any])
        #expect(final["step"] as? Double == 14144)
        #expect((final["interval"] as? [Double])?.count == 2)
        let mre = try #require(json["mean_relative_error"] as? Double)
        #expect(mre > 0.0003 && mre < 0.0012)
        #expect((json["parameters"] as? [String: Double])?["gamma"] == 0.64142257)
    }

    @Test func momentumForecastAndScheduleRanking() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plot = dir.appendingPathComponent("curve.svg").path
        let r = try scaling(["curve", data, "--law", "momentum", "--train", "cosine_24000,constant_24000,wsdcon_9", "--run", "wsdcon_18",
                             "--plot", plot])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("final") && r.stdout.contains("mean |actual - predicted|/actual"))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.contains("learning rate") && svg.contains("wsdcon_18"))

        let rankedPlot = dir.appendingPathComponent("ranked.svg").path
        let s = try scaling(["schedule", data, "--law", "momentum", "--train", "cosine_24000,constant_24000,wsdcon_9",
                             "--candidates", candidates, "--json", "--plot", rankedPlot])
        #expect(s.status == 0, "\(s.stderr)")
        let json = try jsonObject(s.stdout)
        let ranked = try #require(json["candidates"] as? [[String: Any]])
        #expect(ranked.count == 5)
        let finals = ranked.compactMap { ($0["final"] as? [String: Any])?["predicted"] as? Double }
        #expect(finals == finals.sorted())
        #expect(FileManager.default.fileExists(atPath: rankedPlot))
    }

    @Test func malformedSchedulesAndWrongLawsAreRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.csv")
        try "run,step,lr,loss\na,0,0,\na,100,0.001,3.5\na,50,0.001,3.6\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try scaling(["curve", bad.path, "--law", "multi-power", "--run", "a"])
        #expect(r.status != 0 && r.exited)
        #expect(r.stderr.contains("bad.csv") && r.stderr.contains("4") && r.stderr.contains("increasing step order"), "\(r.stderr)")
        let wrong = try scaling(["curve", data, "--law", "chinchilla", "--run", "wsdcon_18"])
        #expect(wrong.status != 0 && wrong.stderr.contains("multi-power"), "\(wrong.stderr)")
        let fit = try scaling(["fit", data, "--law", "multi-power"])
        #expect(fit.status != 0 && fit.stderr.contains("scaling curve"), "\(fit.stderr)")
        let unknown = try scaling(["curve", data, "--law", "multi-power", "--fix", "E=1", "--run", "wsdcon_18"])
        #expect(unknown.status != 0 && unknown.stderr.contains("--fix") && unknown.stderr.contains("L0"), "\(unknown.stderr)")
    }

    @Test func scheduleHelpHasAnExample() throws {
        let r = try scaling(["help", "schedule"])
        #expect(r.status == 0 && r.stdout.hasPrefix("OVERVIEW: ") && r.stdout.contains("Examples:") && r.stdout.contains("  scaling schedule"))
        let curve = try scaling(["help", "curve"])
        #expect(curve.stdout.contains("--law multi-power") && curve.stdout.contains("--lr-col"))
    }
}

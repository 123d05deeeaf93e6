import Foundation
import ScalingLaws

/// Text rendering of results.
enum Report {
    static func number(_ v: Double?) -> String {
        guard let v else { return "-" }
        return String(format: "%.6g", v)
    }

    /// An aligned table: numbers right-aligned, text left-aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let numeric = header.indices.map { i in rows.allSatisfy { $0[i] == "-" || $0[i].isEmpty || Double($0[i]) != nil } }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                numeric[i] ? String(repeating: " ", count: widths[i] - c.count) + c
                           : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func header(_ r: FitResult, source: String?) -> String {
        var lines = ["law        \(r.law.name): \(r.law.formula)"]
        if r.runs > 0 {
            lines.append("runs       \(r.runs)" + (source.map { " \($0)" } ?? ""))
        } else {
            lines.append("runs       none (parameters given)")
        }
        if let v = r.objectiveValue {
            lines.append("objective  \(r.objective.definition) = \(String(format: "%.10g", v))")
        } else {
            lines.append("objective  none (no data)")
        }
        if r.summary.termination != .nothingToFit {
            let s = r.summary
            let state = s.termination.isConverged ? "converged" : "NOT converged"
            lines.append("solver     \(state) (\(s.termination.rawValue)) after \(s.iterations) iterations; "
                         + "\(r.search.polished) starts polished, \(r.search.agreeing) reached the best objective; "
                         + "\(r.search.valid) of \(r.search.candidates) start candidates valid")
        }
        return lines.joined(separator: "\n")
    }

    static func fit(_ r: FitResult, source: String) -> String {
        let rows = zip(r.law.parameters, r.parameters).map { p, v in
            [p.name, number(v), r.fixed.contains(p.name) ? "fixed" : "", p.summary]
        }
        return header(r, source: source) + "\n\n" + table(["parameter", "value", "", "meaning"], rows)
    }

    static func parameterLine(_ r: FitResult) -> String {
        zip(r.law.parameterNames, r.parameters).map { "\($0)=\(number($1))" }.joined(separator: " ")
    }

    static func predictions(_ r: FitResult, _ preds: [PredictionRecord], source: String?) -> String {
        let rows: [[String]] = preds.map { p in
            [number(p.params), number(p.tokens), number(p.flops), String(format: "%.6f", p.loss)]
        }
        return header(r, source: source) + "\nparameters \(parameterLine(r))\n\n"
            + table(["params N", "tokens D", "flops C", "loss"], rows)
    }

    static func optima(_ r: FitResult, _ optima: [ComputeOptimum], source: String?) -> String {
        let rows = optima.map { o in
            [number(o.flops), number(o.params), number(o.tokens), number(o.tokensPerParam), String(format: "%.6f", o.loss)]
        }
        return header(r, source: source) + "\nparameters \(parameterLine(r))\ncompute    C = \(number(r.flopsPerParamToken))·N·D\n\n"
            + table(["flops C", "params N", "tokens D", "tokens/param", "loss"], rows)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let data = try JSON.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

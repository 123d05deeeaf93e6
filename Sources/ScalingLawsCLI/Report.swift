import CScalingSupport
import Foundation
import ScalingLaws

/// Text rendering of results.
enum Report {
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.6g", v)
    }

    /// A standard error to 3 significant digits.
    static func se(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "-" }
        return String(format: "%.3g", v)
    }

    static func interval(_ i: Interval?) -> String {
        guard let i, i.low.isFinite, i.high.isFinite else { return "-" }
        return "[\(String(format: "%.5g", i.low)), \(String(format: "%.5g", i.high))]"
    }

    static func percent(_ v: Double) -> String { v.isFinite ? String(format: "%.2f%%", 100 * v) : "-" }

    /// A model size or token count in table cells: 70B, 1.4T (see ``Units``).
    static func count(_ v: Double?) -> String { Units.count(v) }

    /// FLOPs in table cells: 5.88e23.
    static func flops(_ v: Double?) -> String { Units.flops(v) }

    /// The cell of a run variable: counts for params and tokens, e-notation for flops.
    static func variable(_ name: String, _ v: Double?) -> String {
        name == Variable.flops ? flops(v) : (name == Variable.params || name == Variable.tokens ? count(v) : number(v))
    }

    /// An interval of counts: [61.94B, 88.33B].
    static func countInterval(_ i: Interval?) -> String { Units.interval(i?.low, i?.high) { Units.count($0) } }

    /// An aligned table: numbers right-aligned, text left-aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let numeric = header.indices.map { i in rows.allSatisfy { isNumeric($0[i]) } }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            let joined = cells.enumerated().map { i, c in
                numeric[i] ? String(repeating: " ", count: widths[i] - c.count) + c
                           : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            // Trailing blanks dropped by hand: a regular expression here cost more than the rest of the table.
            var end = joined.endIndex
            while end > joined.startIndex, joined[joined.index(before: end)].isWhitespace { end = joined.index(before: end) }
            return String(joined[..<end])
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Cells aligned right: numbers, with a unit suffix (70B) or a percent sign, or a dash.
    static func isNumeric(_ cell: String) -> Bool {
        cell == "-" || cell.isEmpty || parseQuantity(cell.replacingOccurrences(of: "%", with: "")) != nil
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

    static func uncertaintyLines(_ u: Uncertainty?) -> String {
        guard let u else { return "" }
        var lines: [String]
        switch u.method {
        case .asymptotic:
            if let groups = u.clusters {
                lines = ["intervals  \(pct(u.level)) asymptotic, clustered by run (jackknife sandwich over \(groups) runs or groups taken as independent, t with \(groups - 1) d.o.f., delta method; --bootstrap for resampling)"]
            } else {
                lines = ["intervals  \(pct(u.level)) asymptotic (M-estimator sandwich, delta method; assumes independent errors, --bootstrap for resampling)"]
            }
        case .bootstrap:
            lines = ["intervals  \(pct(u.level)) bootstrap percentile, \(u.replicates - u.failedReplicates) of \(u.replicates) refits, seed \(u.seed ?? 0)"]
        }
        lines += u.warnings.map { "warning    \($0)" }
        return "\n" + lines.joined(separator: "\n")
    }

    static func pct(_ level: Double) -> String { String(format: "%g%%", 100 * level) }

    /// An extrapolation ratio: `12×`, `1.5×`, `0.8×`.
    static func ratio(_ r: Double) -> String { String(format: "%.3g×", r) }

    /// The line that says where a calibrated interval's forecast-error term comes from.
    static func calibrationLine(_ c: ForecastCalibration) -> String {
        let measured = c.dataKappa.map { String(format: "%.3g from %d inner backtest%@ along %@ (up to %@)", $0, c.origins, c.origins == 1 ? "" : "s", c.axis, ratio(c.largestInnerRatio)) }
            ?? "no inner backtest possible"
        return "calibration forecast error κ = \(String(format: "%.3g", c.kappa)) per unit ln(ratio): \(measured), pooled with the prior \(String(format: "%.3g", c.prior.kappa)) (\(c.prior.source)); scatter × \(String(format: "%.2g", c.scatterInflation.squareRoot())); t with \(String(format: "%g", c.degreesOfFreedom)) degrees of freedom for κ"
    }

    static func fit(_ r: FitResult, uncertainty u: Uncertainty?, source: String) -> String {
        let levelLabel = u.map { "\(pct($0.level)) interval" } ?? "interval"
        var rows = zip(r.law.parameters.indices, r.law.parameters).map { j, p -> [String] in
            let fixed = r.fixed.contains(p.name)
            return [p.name, number(r.parameters[j]), fixed ? "fixed" : se(u?.standardErrors[j]),
                    fixed ? "" : interval(u?.intervals[j]), p.summary]
        }
        if let u {
            for d in u.derived {
                rows.append([d.quantity.name, number(d.estimate.value), se(d.estimate.standardError), interval(d.estimate.interval), d.quantity.summary])
            }
        } else {
            for d in r.law.derivedQuantities(r.parameters) { rows.append([d.name, number(d.value), "-", "-", d.summary]) }
        }
        return header(r, source: source) + uncertaintyLines(u) + "\n\n"
            + table(["parameter", "value", "s.e.", levelLabel, "meaning"], rows)
    }

    static func parameterLine(_ r: FitResult) -> String {
        zip(r.law.parameterNames, r.parameters).map { "\($0)=\(number($1))" }.joined(separator: " ")
    }

    static func predictions(_ r: FitResult, _ preds: [PredictionRecord], uncertainty u: Uncertainty?,
                            calibration: ForecastCalibration? = nil, source: String?) -> String {
        let extra = Array(Set(preds.flatMap { ($0.values ?? [:]).keys })).sorted()
        let standard = Variable.standard.filter { v in r.law.variables.contains(v) || preds.contains { p in
            (v == Variable.params ? p.params : v == Variable.tokens ? p.tokens : p.flops) != nil } }
        let rows: [[String]] = preds.map { p in
            standard.map { v in variable(v, v == Variable.params ? p.params : v == Variable.tokens ? p.tokens : p.flops) }
                + extra.map { number(p.values?[$0]) }
                + [String(format: "%.6f", p.loss), interval(p.lawInterval), interval(p.newRunInterval), interval(p.calibratedInterval)]
                + (calibration.map { c in [p.extrapolation?.ratios[c.axis].map(ratio) ?? "-"] } ?? [])
        }
        let level = u.map { pct($0.level) + " " } ?? ""
        let names = ["params": "params N", "tokens": "tokens D", "flops": "flops C"]
        var notes = calibration.map { "\n" + calibrationLine($0) } ?? ""
        if let c = calibration {
            for p in preds {
                guard let x = p.extrapolation?.ratios[c.axis], x > c.measuredUpTo else { continue }
                notes += "\nwarning    a target at \(ratio(x)) the largest fitted \(c.axis) is beyond the ratios the calibration was measured at (up to \(ratio(c.measuredUpTo))): read its interval as a lower bound"
                break
            }
            notes += c.notes.map { "\nnote       " + $0 }.joined()
        }
        return header(r, source: source) + uncertaintyLines(u) + "\nparameters \(parameterLine(r))" + notes + "\n\n"
            + table(standard.map { names[$0]! } + extra
                    + ["prediction", "\(level)law interval", "\(level)new-run interval", "\(level)calibrated interval"]
                    + (calibration.map { ["× \($0.axis)"] } ?? []), rows)
    }

    static func optima(_ r: FitResult, _ optima: [ComputeOptimum], estimates: [[String: Estimate]?], uncertainty u: Uncertainty?,
                       source: String?) -> String {
        var rows = [[String]]()
        for (o, e) in zip(optima, estimates) {
            rows.append([flops(o.flops), count(o.params), count(o.tokens), number(o.tokensPerParam), String(format: "%.6f", o.loss)])
            if let e {
                rows.append(["  " + pct(u?.level ?? 0.95), countInterval(e["params"]?.interval), countInterval(e["tokens"]?.interval),
                             interval(e["tokens_per_param"]?.interval), interval(e["loss"]?.interval)])
            }
        }
        return header(r, source: source) + uncertaintyLines(u) + "\nparameters \(parameterLine(r))\ncompute    C = \(number(r.flopsPerParamToken))·N·D\n\n"
            + table(["flops C", "params N", "tokens D", "tokens/param", "loss"], rows)
    }

    /// `--objectives`: how the parameters, forecasts or optima move with the objective.
    static func objectives(_ fits: [FitResult], targets: (runs: [Run], predictions: [[Double]])?, flops: [[ComputeOptimum]]?) -> String {
        guard let reference = fits.firstIndex(where: { $0.objective.loss == .huber }) ?? fits.indices.first else { return "" }
        let names = fits[0].law.parameterNames
        var header = ["objective"] + names
        var rows = fits.map { f in [f.objective.label] + f.parameters.map { number($0) } }
        if let targets {
            for (k, run) in targets.runs.enumerated() {
                header.append("loss at N=\(number(run.params)) D=\(number(run.tokens))")
                header.append("change")
                for i in fits.indices {
                    let v = targets.predictions[i][k], ref = targets.predictions[reference][k]
                    rows[i] += [String(format: "%.6f", v), String(format: "%+.2f%%", 100 * (v / ref - 1))]
                }
            }
        }
        if let flops {
            for (k, o) in flops[0].enumerated() {
                header += ["N_opt at C=\(number(o.flops))", "change", "loss"]
                for i in fits.indices {
                    let v = flops[i][k], ref = flops[reference][k]
                    let change = (v.params != nil && ref.params != nil) ? String(format: "%+.1f%%", 100 * (v.params! / ref.params! - 1)) : "-"
                    rows[i] += [number(v.params), change, String(format: "%.6f", v.loss)]
                }
            }
        }
        let lines = fits.map { "  \($0.objective.label): \($0.objective.definition)" }
        return "law        \(fits[0].law.name): \(fits[0].law.formula)\nruns       \(fits[0].runs)\nobjectives (changes relative to \(fits[reference].objective.label))\n"
            + lines.joined(separator: "\n") + "\n\n" + table(header, rows)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let data = try JSON.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Prints a fit's JSON (its record and the keys of `extra`), streamed to standard output in chunks: the
/// training runs of a checkpoint fit are never held as one JSON tree (``FitResult/writeJSON(adding:to:)``).
func printJSON(_ fit: FitResult, adding extra: (any Encodable)? = nil) throws {
    try fit.writeJSON(adding: extra) { bytes in
        guard let base = bytes.baseAddress else { return }
        let failure = scaling_write_stdout(base, bytes.count)
        guard failure == 0 else {
            throw CLIError(message: "cannot write the output to stdout (\(String(cString: strerror(failure))))")
        }
    }
    print()
}

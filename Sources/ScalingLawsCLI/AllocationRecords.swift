import ScalingLaws

/// JSON of a predicted compute-optimal allocation: `flops`, `params`, `tokens`, `tokens_per_param`,
/// `loss` (null without a loss law) and, with bootstrap replicates, `params_interval` and
/// `tokens_interval`.
struct AllocationRecord: Encodable {
    var flops, params, tokens, tokensPerParam: Double
    @NullWhenAbsent var loss: Double?
    var paramsInterval, tokensInterval: Interval?

    init(prediction p: AllocationPrediction) {
        flops = p.flops
        params = p.params
        tokens = p.tokens
        tokensPerParam = p.tokens / p.params
        loss = p.loss
        paramsInterval = p.paramsInterval
        tokensInterval = p.tokensInterval
    }
}

/// The allocation-law keys shared by `isoflop` and `envelope`: `params_exponent` (a),
/// `params_coefficient` (k_N), `tokens_exponent` (b), `tokens_coefficient` (k_D), `loss_law`
/// ({E, A, alpha} or null) and `prediction` (one budget) or `predictions` (several).
struct AllocationFields: Encodable {
    var paramsExponent, paramsCoefficient, tokensExponent, tokensCoefficient: Double
    @NullWhenAbsent var lossLaw: [String: Double]?
    var prediction: AllocationRecord?
    var predictions: [AllocationRecord]?

    init(allocation: AllocationLaw, lossLaw: FitResult?, predictions: [AllocationPrediction]) {
        paramsExponent = allocation.params.exponent
        paramsCoefficient = allocation.params.coefficient
        tokensExponent = allocation.tokens.exponent
        tokensCoefficient = allocation.tokens.coefficient
        self.lossLaw = lossLaw?.parameterValues
        if predictions.count == 1 {
            prediction = AllocationRecord(prediction: predictions[0])
        } else if predictions.count > 1 {
            self.predictions = predictions.map(AllocationRecord.init)
        }
    }
}

extension Report {
    /// "k·C^a" lines for N*(C) and D*(C), with intervals when given.
    static func allocationLines(_ law: AllocationLaw, intervals: [String: Interval?] = [:], level: Double? = nil) -> String {
        func cell(_ key: String) -> String {
            guard let level, let i = intervals[key] ?? nil else { return "" }
            return "\(Int((level * 100).rounded()))% interval [\(number(i.low)), \(number(i.high))]"
        }
        let rows = [
            ["N*(C) = k_N·C^a", "a", number(law.params.exponent), cell("a")],
            ["", "k_N", number(law.params.coefficient), cell("k_N")],
            ["D*(C) = k_D·C^b", "b", number(law.tokens.exponent), cell("b")],
            ["", "k_D", number(law.tokens.coefficient), cell("k_D")],
        ]
        return table(["allocation", "", "value", ""], rows)
    }

    /// One line for L*(C), or why there is none.
    static func lossLawLine(_ lossLaw: FitResult?) -> String {
        guard let lossLaw else { return "L*(C)      not fitted: it needs at least 4 optima" }
        return "L*(C)      \(lossLaw.law.formula): \(parameterLine(lossLaw))"
    }

    /// The table of predicted allocations.
    static func allocationPredictions(_ predictions: [AllocationPrediction]) -> String {
        let hasIntervals = predictions.contains { $0.paramsInterval != nil }
        func range(_ i: Interval?) -> String { i.map { "\(count($0.low))–\(count($0.high))" } ?? "-" }
        let rows = predictions.map { p -> [String] in
            var row = [flops(p.flops), count(p.params)]
            if hasIntervals { row.append(range(p.paramsInterval)) }
            row.append(count(p.tokens))
            if hasIntervals { row.append(range(p.tokensInterval)) }
            row += [number(p.tokens / p.params), p.loss.map { String(format: "%.6f", $0) } ?? "-"]
            return row
        }
        var header = ["flops C", "params N*"]
        if hasIntervals { header.append("interval") }
        header.append("tokens D*")
        if hasIntervals { header.append("interval") }
        header += ["tokens/param", "loss L*"]
        return table(header, rows)
    }
}

import Foundation

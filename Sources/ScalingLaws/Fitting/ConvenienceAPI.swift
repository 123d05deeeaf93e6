import Foundation

// Short paths through the library for a training script: load a CSV without naming a law's variables,
// fit arrays, read a parameter that cannot silently be nil, and the compute-optimal allocation with
// typed intervals.
//
//     let runs = try RunTable.runs(contentsOf: "Examples/data/chinchilla_fig4_fitset.csv")
//     let fit = try ChinchillaLaw().fit(runs)
//     let forecast = try fit.forecasts([Run(params: 70e9, tokens: 1.4e12)])[0]
//     let optimum = try fit.optimum(flops: 5.88e23)
//     print(forecast, optimum.params, try fit.value(of: "alpha"))
//     let curve = try SaturatingPowerLaw(x: Variable.flops).fit(x: flops, y: losses)

extension RunTable {
    /// The runs of the CSV file at `path`: every one of params, tokens and flops it has a column for
    /// (the missing one of the three derived from C = k·N·D), and the loss.
    ///
    /// - Throws: ``ScalingLawsError`` naming the file, line and column; ``ScalingLawsError/missingColumn(file:needed:tried:available:hint:)``
    ///   when the file has none of params, tokens and flops.
    public static func runs(contentsOf path: String, flopsPerParamToken k: Double = 6) throws(ScalingLawsError) -> [Run] {
        let table = try CSVTable(contentsOf: path)
        let lowered = Set(table.header.map { $0.lowercased() })
        let present = Variable.standard.filter { v in aliases[v, default: [v]].contains { lowered.contains($0.lowercased()) } }
        guard !present.isEmpty else {
            throw .missingColumn(file: path, needed: "params, tokens or flops",
                                 tried: Variable.standard.flatMap { aliases[$0, default: [$0]] }, available: table.header,
                                 hint: "name the columns params, tokens or flops")
        }
        return try runs(from: table, variables: present, flopsPerParamToken: k)
    }
}

extension ScalingLaw {
    /// Fits this one-variable law to the points (x, y), e.g. `SaturatingPowerLaw(x: Variable.flops).fit(x: c, y: l)`.
    ///
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` for a law of several variables;
    ///   ``ScalingLawsError/invalidRun(index:message:)`` when the arrays differ in length; fit errors.
    public func fit(x: [Double], y: [Double], options: FitOptions = FitOptions()) throws(ScalingLawsError) -> FitResult {
        guard variables.count == 1 else {
            throw .unsupported("fit(x:y:) fits laws of one variable; the \(name) law reads \(variables.joined(separator: ", ")): build Runs")
        }
        guard x.count == y.count else {
            throw .invalidRun(index: min(x.count, y.count), message: "x has \(x.count) values but y has \(y.count); give one y per x")
        }
        let variable = variables[0]
        let runs = zip(x, y).map { x, y -> Run in
            var run = Run(loss: y)
            run.setValue(x, of: variable)
            return run
        }
        return try fit(runs, options: options)
    }
}

/// The compute-optimal allocation of a budget with the uncertainty of each quantity.
public struct OptimumEstimate: Sendable, Hashable, CustomStringConvertible {
    /// The budget C.
    public var flops: Double
    /// Optimal parameters N*.
    public var params: Estimate
    /// Optimal tokens D*.
    public var tokens: Estimate
    /// D*/N*.
    public var tokensPerParam: Estimate
    /// The loss of the law at the optimum (its interval: parameter uncertainty).
    public var loss: Estimate
    /// The calibrated interval for the loss a run at (N*, D*) would reach (``ForecastCalibration``).
    public var calibratedLoss: Interval?
    /// How far (N*, D*, C) lie beyond the fitted runs.
    public var extrapolation: [Extrapolation]

    public var description: String {
        "C = \(formatQuantity(flops)): N* = \(params), D* = \(tokens), D*/N* = \(tokensPerParam), loss = \(loss)"
            + (calibratedLoss.map { ", calibrated loss interval \($0)" } ?? "")
    }
}

extension Estimate: CustomStringConvertible {
    /// The value with its interval, `7.397e+10 [6.189e+10, 8.841e+10]`.
    public var description: String {
        "\(formatQuantity(value)) [\(formatQuantity(interval.low)), \(formatQuantity(interval.high))]"
    }
}

extension Uncertainty.Prediction: CustomStringConvertible {
    /// The value with its intervals.
    public var description: String {
        var text = "\(formatQuantity(value)): law \(lawInterval), new run \(newRunInterval)"
        if let calibratedInterval { text += ", calibrated \(calibratedInterval)" }
        if let extrapolation { text += " at \(formatQuantity(extrapolation))× the fitted data" }
        return text
    }
}

extension FitResult: CustomStringConvertible {
    /// The law, its parameters and the objective value, on one line.
    public var description: String {
        let values = zip(law.parameterNames, parameters).map { "\($0)=\(formatQuantity($1))" }.joined(separator: " ")
        return "\(law.name) law fitted to \(runs) runs: \(values)" + (objectiveValue.map { ", objective \($0)" } ?? "")
    }

    /// The value of parameter `name`.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming the law's parameters when it
    ///   has none of that name (the subscript returns nil instead).
    public func value(of name: String) throws(ScalingLawsError) -> Double {
        parameters[try index(of: name)]
    }

    /// The index of parameter `name` in the law's parameter order.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` (``Setting/parameter``) naming the
    ///   law's parameters when it has none called `name`.
    public func index(of name: String) throws(ScalingLawsError) -> Int {
        guard let index = law.parameterIndex(name) else {
            throw .invalidOption(option: .parameter, message: "the \(law.name) law has no parameter \(displayQuoted(name)); it has \(law.parameterNames.joined(separator: ", "))")
        }
        return index
    }

    /// The compute-optimal allocation of `flops` with asymptotic intervals at `level` and, when the fit
    /// holds its runs, the calibrated interval of the optimal run's loss.
    ///
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` for laws without an allocation of N and D, or a fit
    ///   without runs; ``ScalingLawsError/insufficientData(_:)`` when a quantity has no interval (a fit
    ///   that is not identifiable).
    public func optimum(flops: Double, level: Double = 0.95) throws(ScalingLawsError) -> OptimumEstimate {
        let point = try computeOptimum(flops: flops)
        guard let n = point.params, let d = point.tokens else {
            throw .unsupported("the \(law.name) law gives no allocation of N and D; use a law of params and tokens")
        }
        let uncertainty = try asymptoticUncertainty(level: level)
        let estimates = try uncertainty.computeOptimum(flops: flops)
        func get(_ estimate: Estimate?, _ what: String) throws(ScalingLawsError) -> Estimate {
            guard let estimate else {
                throw .insufficientData("the \(what) of the optimum has no interval: \(uncertainty.warnings.first { $0.hasPrefix("not identifiable") } ?? "the fit does not determine it")")
            }
            return estimate
        }
        let target = Run(params: n, tokens: d)
        let calibrated = try? uncertainty.predictions([target], calibration: try forecastCalibration()).first?.calibratedInterval
        return OptimumEstimate(flops: flops, params: try get(estimates.params, "model size"), tokens: try get(estimates.tokens, "token count"),
                               tokensPerParam: try get(estimates.tokensPerParam, "tokens per parameter"), loss: try get(estimates.loss, "loss"),
                               calibratedLoss: calibrated ?? nil, extrapolation: extrapolation(to: target))
    }
}

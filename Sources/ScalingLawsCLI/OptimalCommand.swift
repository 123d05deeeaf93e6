import ArgumentParser
import ScalingLaws

struct Optimal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimal",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Compute-optimal model size and tokens for a FLOP budget, or for a loss to reach and tokens to serve.",
        discussion: HelpText.discussion(
            "For chinchilla, the closed form of Hoffmann et al. (2022, eq. 4) under C = k·N·D; for saturating fitted on flops, the loss the budget reaches.",
            "Plans (chinchilla law): --target-loss L [--inference-tokens T] gives the least training (k·N·D) plus inference (2·N·T) FLOPs reaching L (Sardana & Frankle 2023), beside the Chinchilla-optimal model; --flops C --inference-tokens T the least loss for C FLOPs of training plus inference; --flops C --tokens-per-param r trains at D/N = r (over-training, as Llama 3 and Qwen 2); --flops C --max-tokens U gives the optimum when only U unique tokens exist (D ≤ U).",
            "--tokens-law k,b (or --params-law k,a) applies a published allocation law instead of a fitted one. The --fit examples read the fit that `scaling fit … --save fit.json` writes.",
            examples: [
                "scaling optimal Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --flops 5.88e23",
                "scaling optimal Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --flops 1e24 --plot optimal.svg",
                "scaling optimal Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --flops 1e24 --bootstrap 200",
                "scaling optimal Examples/data/chinchilla_fig4_fitset.csv --flops 1e24 --objectives",
                "scaling optimal --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --flops 1e24",
                "scaling optimal --fit fit.json --flops 1e22,1e23,1e24 --format json",
                "scaling optimal --fit fit.json --target-loss 2.0 --inference-tokens 2e12",
                "scaling optimal --fit fit.json --flops 1e24 --tokens-per-param 100",
                "scaling optimal --fit fit.json --flops 1e25 --max-tokens 2T",
                "scaling optimal --tokens-law 0.299,0.537 --flops 3.8e25",
                "scaling optimal Examples/data/data_constrained_synthetic.csv --law data-constrained --flops 1e22 --unique-tokens 25e9",
            ]
        )
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var intervals: UncertaintyOptions

    @OptionGroup var flopTargets: FlopsTargetOptions
    var flops: [Double] { flopTargets.flops.values }

    @Flag(help: "Show how the optimum moves under raw MSE, log MSE, Huber and the asymmetric objective.")
    var objectives = false

    @Option(help: "Loss to reach: plan the model with the least training + inference FLOPs that reaches it.")
    var targetLoss: Double?

    @Option(help: "Tokens the model will serve at inference, T (inference FLOPs 2·N·T; units allowed, e.g. 2T).")
    var inferenceTokens: String?

    @Option(help: "Train at this fixed ratio D/N instead of the compute-optimal one (e.g. 100).")
    var tokensPerParam: Double?

    @Option(help: "Unique training tokens available U: the optimum with D ≤ U (repeated data counts as worthless).")
    var maxTokens: String?

    @Option(help: "Unique tokens available U for the data-constrained law: the optimum where repeated data loses value (Muennighoff et al. 2023).")
    var uniqueTokens: String?

    @Option(help: "A published tokens law D*(C) = k·C^b, as k,b (Llama 3: 0.299,0.537); N* = C/(k_flops·D*).")
    var tokensLaw: String?

    @Option(help: "A published parameters law N*(C) = k·C^a, as k,a; D* = C/(k_flops·N*).")
    var paramsLaw: String?

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            let budgets = flops
            let served = try inferenceTokens.map { try nonNegativeQuantity($0, flag: "--inference-tokens") }
            let cap = try maxTokens.map { try quantity($0, flag: "--max-tokens") }
            if plot.plot != nil, tokensLaw != nil || paramsLaw != nil || targetLoss != nil || served != nil || tokensPerParam != nil
                || cap != nil || uniqueTokens != nil || objectives {
                throw CLIError(message: "--plot draws the compute-optimal frontier of a fitted law: it does not combine with --tokens-law, --params-law, --target-loss, --inference-tokens, --tokens-per-param, --max-tokens, --unique-tokens or --objectives")
            }
            if tokensLaw != nil || paramsLaw != nil {
                return try publishedLaw(budgets)
            }
            if let targetLoss {
                guard budgets.isEmpty, tokensPerParam == nil, cap == nil else {
                    throw CLIError(message: "--target-loss plans for a loss, not a budget: drop --flops, --tokens-per-param and --max-tokens")
                }
                let result = try source.fittedLaw()
                let plan = try result.inferenceAwareOptimum(targetLoss: targetLoss, inferenceTokens: served ?? 0)
                return try emit([plan], result: result, goal: "least training + inference FLOPs reaching loss \(Report.number(targetLoss))")
            }
            guard !budgets.isEmpty else {
                throw CLIError(message: "--flops: give the FLOP budget, e.g. --flops 5.88e23 (or --target-loss to plan for a loss)")
            }
            let chosen = [served != nil, tokensPerParam != nil, cap != nil].filter { $0 }.count
            guard chosen <= 1 else {
                throw CLIError(message: "--inference-tokens, --tokens-per-param and --max-tokens are separate plans: give one of them")
            }
            let result = try source.fittedLaw()
            if let served {
                let plans = try budgets.map { try result.inferenceAwareOptimum(totalFlops: $0, inferenceTokens: served) }
                return try emit(plans, result: result, goal: "least loss for a total of training + inference FLOPs")
            }
            if let ratio = tokensPerParam {
                let plans = try budgets.map { try result.fixedRatioPlan(flops: $0, tokensPerParam: ratio) }
                return try emit(plans, result: result, constraint: "D/N fixed at \(Report.number(ratio))")
            }
            if let cap {
                let plans = try budgets.map { try result.dataLimitedOptimum(flops: $0, maxTokens: cap) }
                return try emit(plans, result: result, constraint: "at most \(Report.count(cap)) unique tokens, not repeated")
            }
            if let uniqueTokens {
                let u = try quantity(uniqueTokens, flag: "--unique-tokens")
                return try uniqueDataOptimum(result, budgets: budgets, uniqueTokens: u)
            }
            let optima = try budgets.map { try result.computeOptimum(flops: $0) }
            if objectives {
                let fits = try ObjectiveComparison.fits(of: result, options: try source.law.fitOptions(for: result.law))
                let all = try fits.map { fit in try budgets.map { try fit.computeOptimum(flops: $0) } }
                switch formatting.format {
                case .json: try printJSON(ObjectivesReport(fits: fits, predictions: nil, optima: all))
                case .text: output(Report.objectives(fits, targets: nil, flops: all))
                }
                return
            }
            let uncertainty = try intervals.uncertainty(of: result)
            let estimates = try budgets.map { try uncertainty?.computeOptimum(flops: $0).keyed }
            // The loss of the compute-optimal run, with the calibrated interval of a forecast that far out.
            let optimalRuns = optima.map { Run(params: $0.params, tokens: $0.tokens) }
            try result.validateTargets(optimalRuns)
            let calibration = uncertainty == nil || !result.law.variables.contains(Variable.params) ? nil : try result.forecastCalibration()
            let forecasts = try calibration.map { c in try uncertainty!.predictions(optimalRuns, calibration: c) }
            let optimumRecords = optima.indices.map { i in
                OptimumRecord(optimum: optima[i], intervals: estimates[i]?.mapValues(\.interval), uncertainty: uncertainty.map(UncertaintyRecord.init),
                              calibratedLossInterval: forecasts?[i].calibratedInterval,
                              extrapolation: result.runs > 0 ? ExtrapolationRecord(result.extrapolation(to: optimalRuns[i])) : nil)
            }
            try plot.write { try OptimalPlot(fit: result, uncertainty: uncertainty, budgets: budgets).render(source: source.origin) }
            switch formatting.format {
            case .json: try printJSON(records(optimumRecords))
            case .text:
                var text = Report.optima(result, optima, estimates: estimates, uncertainty: uncertainty, source: source.origin)
                if let calibration, let forecasts {
                    text += "\n\n" + Report.calibrationLine(calibration)
                    for (o, f) in zip(optima, forecasts) {
                        let ratios = result.extrapolation(to: Run(params: o.params, tokens: o.tokens))
                        let far = ratios.map { "\($0.variable) \(Report.ratio($0.ratio))" }.joined(separator: ", ")
                        text += "\nforecast   C = \(Report.flops(o.flops)): loss \(String(format: "%.4f", o.loss)), \(Report.pct(intervals.level)) calibrated interval \(Report.interval(f.calibratedInterval)); beyond the fitted runs: \(far)"
                        if let x = f.extrapolation, x > calibration.measuredUpTo {
                            text += "\nwarning    \(Report.ratio(x)) the largest fitted \(calibration.axis) is beyond the ratios the calibration was measured at (up to \(Report.ratio(calibration.measuredUpTo))): read the interval as a lower bound"
                        }
                    }
                }
                output(text)
            }
        }
    }

    /// The data-constrained law's optimum with U unique tokens, by a 1-D minimisation over N.
    private func uniqueDataOptimum(_ result: FitResult, budgets: [Double], uniqueTokens u: Double) throws {
        guard let law = result.law as? DataConstrainedLaw else {
            throw CLIError(message: "--unique-tokens needs the data-constrained law (for a hard cap on any law of N and D, use --max-tokens)")
        }
        let k = result.flopsPerParamToken
        let optima = try budgets.map { c throws(ScalingLawsError) in
            try DataConstrainedLaw.checked(law.optimum(result.parameters, flops: c, uniqueTokens: u, flopsPerParamToken: k), flopsPerParamToken: k)
        }
        let uncertainty = try intervals.uncertainty(of: result)
        let estimates: [[String: Estimate]?] = budgets.map { c in
            guard let uncertainty else { return nil }
            func at(_ t: [Double]) -> ComputeOptimum { law.optimum(t, flops: c, uniqueTokens: u, flopsPerParamToken: k) }
            var e = [String: Estimate]()
            e["params"] = uncertainty.estimate(positive: true) { at($0).params }
            e["tokens"] = uncertainty.estimate(positive: true) { at($0).tokens }
            e["tokens_per_param"] = uncertainty.estimate(positive: true) { at($0).tokensPerParam }
            e["loss"] = uncertainty.estimate(positive: true) { at($0).loss }
            return e
        }
        let optimumRecords = zip(optima, estimates).map { o, e in
            OptimumRecord(optimum: o, intervals: e?.mapValues(\.interval), uncertainty: uncertainty.map(UncertaintyRecord.init))
        }
        switch formatting.format {
        case .json: try printJSON(records(optimumRecords))
        case .text:
            output(Report.optima(result, optima, estimates: estimates, uncertainty: uncertainty, source: source.origin)
                  + "\nunique     \(Report.count(u)) tokens available; repeated epochs count as the data-constrained law says")
        }
    }

    /// One record, or `{"optima": […]}` for several.
    func records<T: Encodable>(_ list: [T]) -> OneOrMany<T> { OneOrMany(items: list) }

    private func emit(_ plans: [InferenceAwarePlan], result: FitResult, goal: String) throws {
        switch formatting.format {
        case .json: try printJSON(records(plans.map(InferenceAwareRecord.init)))
        case .text: output(Report.inferenceAware(result, plans, goal: goal, source: source.origin))
        }
    }

    private func emit(_ plans: [ConstrainedPlan], result: FitResult, constraint: String) throws {
        switch formatting.format {
        case .json: try printJSON(records(plans.map(ConstrainedRecord.init)))
        case .text: output(Report.constrained(result, plans, constraint: constraint, source: source.origin))
        }
    }

    private func publishedLaw(_ budgets: [Double]) throws {
        guard source.file == nil, source.fit == nil, source.law.fix.isEmpty else {
            throw CLIError(message: "--tokens-law/--params-law replace the fitted law: drop the CSV file, --fit and --fix")
        }
        guard tokensLaw == nil || paramsLaw == nil else { throw CLIError(message: "give --tokens-law or --params-law, not both") }
        guard targetLoss == nil, inferenceTokens == nil, tokensPerParam == nil, maxTokens == nil else {
            throw CLIError(message: "a published allocation law gives N and D for a budget only; the other plans need a fitted L(N, D)")
        }
        guard !budgets.isEmpty else { throw CLIError(message: "--flops: give the FLOP budget, e.g. --flops 3.8e25") }
        let k = source.law.flopsPerParamToken
        guard k > 0, k.isFinite else { throw CLIError(message: "--flops-per-param-token: expected a positive number, got \(k)") }
        let flag = tokensLaw != nil ? "--tokens-law" : "--params-law"
        let parts = (tokensLaw ?? paramsLaw!).split(separator: ",").map { parseQuantity(String($0)) }
        guard parts.count == 2, let coefficient = parts[0], coefficient > 0, let exponent = parts[1] else {
            throw CLIError(message: "\(flag): expected coefficient,exponent such as 0.299,0.537, got \"\(tokensLaw ?? paramsLaw!)\"")
        }
        let power = PowerLawFit(coefficient: coefficient, exponent: exponent)
        let law = tokensLaw != nil ? AllocationLaw(tokens: power, flopsPerParamToken: k) : AllocationLaw(params: power, flopsPerParamToken: k)
        let predictions = try budgets.map { try law.predict(flops: $0) }
        switch formatting.format {
        case .json: try printJSON(records(predictions.map(AllocationRecord.init)))
        case .text:
            let symbol = tokensLaw != nil ? "D*(C)" : "N*(C)"
            output("law        published: \(symbol) = \(Report.number(coefficient))·C^\(Report.number(exponent))\n"
                  + "compute    C = \(Report.number(k))·N·D\n\n" + Report.allocationPredictions(predictions))
        }
    }
}

/// `T` alone, or `{"optima": [T, …]}`.
struct OneOrMany<T: Encodable>: Encodable {
    var items: [T]

    private struct Many: Encodable { var optima: [T] }

    func encode(to encoder: any Encoder) throws {
        if items.count == 1 {
            try items[0].encode(to: encoder)
        } else {
            try Many(optima: items).encode(to: encoder)
        }
    }
}

/// A non-negative quantity (0 allowed), e.g. inference tokens.
func nonNegativeQuantity(_ text: String, flag: String) throws -> Double {
    guard let v = parseQuantity(text), v >= 0 else {
        throw CLIError(message: "\(flag): expected a number ≥ 0 such as 2e12 or 2T, got \"\(text)\"")
    }
    return v
}

import ArgumentParser
import ScalingLaws

struct Optimal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute-optimal model size and tokens for a FLOP budget.",
        discussion: """
            For chinchilla, the closed form of Hoffmann et al. (2022, eq. 4) under C = k·N·D; for
            saturating fitted on flops, the loss the budget reaches.
            Examples:
              scaling optimal runs.csv --law chinchilla --flops 5.88e23
              scaling optimal --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --flops 1e24
              scaling optimal --fit fit.json --flops 1e22,1e23,1e24 --format json
            """
    )

    @OptionGroup var source: SourceOptions

    @Option(help: "FLOP budget(s) C (comma-separated; e.g. 5.88e23).")
    var flops: [String] = []

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let budgets = try quantities(flops, flag: "--flops")
            guard !budgets.isEmpty else { throw CLIError(message: "--flops: give the FLOP budget, e.g. --flops 5.88e23") }
            let result = try source.fittedLaw()
            let optima = try budgets.map { try result.computeOptimum(flops: $0) }
            switch format {
            case .json:
                let records = optima.map { OptimumRecord($0) }
                if records.count == 1 {
                    try printJSON(records[0])
                } else {
                    try printJSON(OptimaReport(optima: records))
                }
            case .text:
                print(Report.optima(result, optima, source: source.origin))
            }
        }
    }
}

struct OptimumRecord: Codable {
    var flops: Double
    var params: Double?
    var tokens: Double?
    var tokensPerParam: Double?
    var loss: Double

    init(_ o: ComputeOptimum) {
        flops = o.flops
        params = o.params
        tokens = o.tokens
        tokensPerParam = o.tokensPerParam
        loss = o.loss
    }

    enum CodingKeys: String, CodingKey {
        case flops, params, tokens, loss
        case tokensPerParam = "tokens_per_param"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(flops, forKey: .flops)
        try c.encode(params, forKey: .params)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(tokensPerParam, forKey: .tokensPerParam)
        try c.encode(loss, forKey: .loss)
    }
}

struct OptimaReport: Codable {
    var optima: [OptimumRecord]
}

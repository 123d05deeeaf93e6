import ArgumentParser
import ScalingLaws

/// Which runs a backtest trains on.
struct SplitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Train on runs meeting a condition: 'flops<=5.59e20', 'params<2B', 'flops<=p80' (80th percentile).",
                               valueName: "condition"))
    var train: String?

    @Option(help: ArgumentHelp("Hold out the largest fraction of runs (e.g. 20%) by --by.", valueName: "fraction"))
    var holdoutTop: String?

    @Option(help: "Variable for --holdout-top: flops, params or tokens.")
    var by: String = Variable.flops

    /// The split; `fallback` when neither option is given.
    func split(default fallback: TrainSplit?) throws -> TrainSplit {
        if train != nil && holdoutTop != nil {
            throw CLIError(message: "give either --train or --holdout-top, not both")
        }
        if let train { return try TrainSplit(parsing: train) }
        guard !by.isEmpty, by.lowercased() != "loss" else {
            throw CLIError(message: "--by: expected flops, params, tokens or another variable of the law, got \"\(by)\"")
        }
        if let text = holdoutTop {
            let trimmed = text.hasSuffix("%") ? String(text.dropLast()) : text
            guard let value = Double(trimmed), value > 0 else {
                throw CLIError(message: "--holdout-top: expected a fraction such as 20% or 0.2, got \"\(text)\"")
            }
            let fraction = text.hasSuffix("%") || value >= 1 ? value / 100 : value
            guard fraction > 0, fraction < 1 else {
                throw CLIError(message: "--holdout-top: expected a fraction strictly between 0% and 100%, got \"\(text)\"")
            }
            return .holdoutTop(fraction: fraction, by: by)
        }
        guard let fallback else {
            throw CLIError(message: "say which runs to train on: --train 'flops<=5.59e20' or --holdout-top 20% --by flops")
        }
        return fallback
    }

    /// The variable `split` reads, so that it can be read from the file even when the law does not use it.
    static func variable(of split: TrainSplit) -> String {
        switch split {
        case let .condition(v, _, _), let .percentile(v, _, _), let .holdoutTop(_, v): return v
        }
    }
}

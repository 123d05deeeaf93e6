import ScalingLaws

/// The one place where the library's settings become command-line flags: every library error (and
/// every library message that names a setting) reaches the user through ``flag(for:)``.
enum SettingFlags {
    /// The flag that sets `setting` on the command line (a few settings of library calls that the
    /// command line fills in itself keep their library name).
    static func flag(for setting: Setting) -> String {
        switch setting {
        case .law: "--law"
        case .laws: "--laws"
        case .formula: "--formula"
        case .x: "--x"
        case .breaks: "--breaks"
        case .form: "--form"
        case .fixed: "--fix"
        case .initial: "--init"
        case .bounds: "--bounds"
        case .ties: "--tie"
        case .free: "--free"
        case .delta: "--delta"
        case .tau: "--tau"
        case .space: "--space"
        case .flopsPerParamToken: "--flops-per-param-token"
        case .level: "--level"
        case .bootstrap: "--bootstrap"
        case .noise: "--noise"
        case .flops: "--flops"
        case .budget: "--budget"
        case .budgetTolerance: "--budget-tolerance"
        case .grid: "--grid"
        case .targetLoss: "--target-loss"
        case .inferenceTokens: "--inference-tokens"
        case .tokensPerParam: "--tokens-per-param"
        case .maxTokens: "--max-tokens"
        case .minParams: "--min-params"
        case .maxParams: "--max-params"
        case .targetParams: "--target-params"
        case .targetTokens: "--target-tokens"
        case .targetFlops: "--target-flops"
        case .targetOptimum: "--target-optimum"
        case .candidates: "--candidates"
        case .maxRuns: "--max-runs"
        case .ratioBand: "--ratio-band"
        case .layers: "--layers"
        case .dModel: "--d-model"
        case .vocab: "--vocab"
        case .context: "--context"
        case .ffnDim: "--ffn-dim"
        case .heads: "--heads"
        case .kvHeads: "--kv-heads"
        case .trainSplit: "--train"
        case .holdoutTop: "--holdout-top"
        case .run: "--run"
        case .through: "--through"
        case .curveTokens: "--tokens"
        case .steps: "--steps"
        case .skipTokens: "--skip-tokens"
        case .skipFraction: "--skip-fraction"
        case .lawMetric: "--law-metric"
        case .runParams: "--run-params"
        case .tokensPerStep: "--tokens-per-step"
        case .logUse: "--use"
        case .runColumn: "--run-col"
        case .stepColumn: "--step-col"
        case .lrColumn: "--lr-col"
        case .lossColumn: "--loss-col"
        case .paramsColumn: "--params-col"
        case .tokensColumn: "--tokens-col"
        case .flopsColumn: "--flops-col"
        case .groupColumn: "--group-col"
        case .fitFile: "--save"
        case .plotFile: "--plot"
        case .parameter, .start, .schedule, .referenceName, .step, .lr, .loss: setting.name
        }
    }

    /// A library message in the command line's words.
    static func text(_ message: Message) -> String {
        message.rendered(naming: flag(for:), assigning: " ")
    }

    /// A library error in the command line's words.
    static func text(_ error: ScalingLawsError) -> String {
        error.description(naming: flag(for:), assigning: " ")
    }
}

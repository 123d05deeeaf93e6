/// A setting of an analysis that an error or a note refers to: an option of the API (a field of
/// ``FitOptions``, an argument of a function), a column mapping, or an output file.
///
/// The library names each setting in its own words (``name``: `delta`, `constraints.fixed`,
/// `columns.loss`); a front end that exposes the settings under other names (the `scaling` command line
/// gives each one a flag) renders ``ScalingLawsError`` and ``Message`` values with its own names through
/// ``ScalingLawsError/description(naming:assigning:)`` and ``Message/rendered(naming:assigning:)``.
public enum Setting: String, Sendable, Hashable, CaseIterable {
    // The law and how it is fitted.
    case law, laws, formula, x, breaks, form
    case fixed, initial, bounds, ties, free
    case delta, tau, space, flopsPerParamToken
    // Uncertainty.
    case level, bootstrap, noise
    // Budgets and targets.
    case flops, budget, budgetTolerance, grid, targetLoss, inferenceTokens, tokensPerParam, maxTokens
    case minParams, maxParams, targetParams, targetTokens, targetFlops, targetOptimum
    // Experiment design.
    case candidates, maxRuns, ratioBand
    // Model shapes.
    case layers, dModel, vocab, context, ffnDim, heads, kvHeads
    // Backtests, learning curves and schedules.
    case trainSplit, holdoutTop, run, through, curveTokens, steps, skipTokens, skipFraction, lawMetric
    case runParams, tokensPerStep, logUse
    // Column mappings.
    case runColumn, stepColumn, lrColumn, lossColumn, paramsColumn, tokensColumn, flopsColumn, groupColumn
    // Output files.
    case fitFile, plotFile
    // Arguments of library calls that the command line sets for itself.
    case parameter, start, schedule, referenceName, step, lr, loss

    /// The column setting of a standard run variable (`params`, `tokens`, `flops`, `loss`), or nil.
    public static func column(of variable: String) -> Setting? {
        switch variable {
        case Variable.params: .paramsColumn
        case Variable.tokens: .tokensColumn
        case Variable.flops: .flopsColumn
        case "loss": .lossColumn
        case "group": .groupColumn
        default: nil
        }
    }

    /// The setting in library words: the API field or argument that holds it.
    public var name: String {
        switch self {
        case .law: "law"
        case .laws: "laws"
        case .formula: "formula"
        case .x: "x"
        case .breaks: "breaks"
        case .form: "form"
        case .fixed: "constraints.fixed"
        case .initial: "constraints.initial"
        case .bounds: "constraints.bounds"
        case .ties: "constraints.ties"
        case .free: "free"
        case .delta: "delta"
        case .tau: "tau"
        case .space: "space"
        case .flopsPerParamToken: "flopsPerParamToken"
        case .level: "level"
        case .bootstrap: "replicates"
        case .noise: "noise"
        case .flops: "flops"
        case .budget: "budget"
        case .budgetTolerance: "budgetTolerance"
        case .grid: "gridPoints"
        case .targetLoss: "targetLoss"
        case .inferenceTokens: "inferenceTokens"
        case .tokensPerParam: "tokensPerParam"
        case .maxTokens: "maxTokens"
        case .minParams: "minParams"
        case .maxParams: "maxParams"
        case .targetParams: "target params"
        case .targetTokens: "target tokens"
        case .targetFlops: "target flops"
        case .targetOptimum: "target optimum"
        case .candidates: "candidates"
        case .maxRuns: "maxRuns"
        case .ratioBand: "ratioBand"
        case .layers: "layers"
        case .dModel: "dModel"
        case .vocab: "vocab"
        case .context: "context"
        case .ffnDim: "ffnDim"
        case .heads: "heads"
        case .kvHeads: "kvHeads"
        case .trainSplit: "training split"
        case .holdoutTop: "holdout fraction"
        case .run: "run"
        case .through: "through"
        case .curveTokens: "tokens"
        case .steps: "steps"
        case .skipTokens: "warmup tokens"
        case .skipFraction: "warmup fraction"
        case .lawMetric: "metric law"
        case .runParams: "params"
        case .tokensPerStep: "tokensPerStep"
        case .logUse: "use"
        case .runColumn: "columns.run"
        case .stepColumn: "columns.step"
        case .lrColumn: "columns.lr"
        case .lossColumn: "columns.loss"
        case .paramsColumn: "columns.params"
        case .tokensColumn: "columns.tokens"
        case .flopsColumn: "columns.flops"
        case .groupColumn: "columns.group"
        case .fitFile: "fit file"
        case .plotFile: "plot file"
        case .parameter: "parameter"
        case .start: "start"
        case .schedule: "schedule"
        case .referenceName: "name"
        case .step: "step"
        case .lr: "lr"
        case .loss: "loss"
        }
    }
}

/// A message in library words that may refer to ``Setting``s. Written as a string literal with settings
/// interpolated (`"give \(Setting.heads) too"`, `"use \(.law, "chinchilla")"`); ``description`` names
/// them as the library does, ``rendered(naming:assigning:)`` as a front end does (a flag per setting).
public struct Message: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// A run of plain text, or a setting (with the value it is given, if the message suggests one).
    public enum Part: Sendable, Hashable {
        case text(String)
        case setting(Setting, value: String?)
    }

    /// The parts in order; adjacent text is merged, so equal messages have equal parts.
    public private(set) var parts: [Part] = []

    /// A message of plain text.
    public init(_ text: String) { append(text) }

    public init(stringLiteral value: String) { append(value) }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.message.parts }

    /// Builds a ``Message`` from a string literal with interpolated settings.
    public struct StringInterpolation: StringInterpolationProtocol {
        var message = Message()

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { message.append(literal) }

        /// A setting, e.g. `\(.delta)`.
        public mutating func appendInterpolation(_ setting: Setting) { message.parts.append(.setting(setting, value: nil)) }

        /// A setting with a value, e.g. `\(.law, "chinchilla")`.
        public mutating func appendInterpolation(_ setting: Setting, _ value: String) {
            message.parts.append(.setting(setting, value: value))
        }

        /// Another message, settings included.
        public mutating func appendInterpolation(_ other: Message) {
            for part in other.parts {
                if case let .text(text) = part { message.append(text) } else { message.parts.append(part) }
            }
        }

        /// Any other value, as string interpolation shows it.
        public mutating func appendInterpolation<T>(_ value: T) { message.append("\(value)") }
    }

    private init() {}

    private mutating func append(_ text: String) {
        guard !text.isEmpty else { return }
        if case let .text(last)? = parts.last {
            parts[parts.count - 1] = .text(last + text)
        } else {
            parts.append(.text(text))
        }
    }

    /// The settings the message refers to, in order.
    public var settings: [Setting] {
        parts.compactMap { if case let .setting(s, _) = $0 { s } else { nil } }
    }

    /// The message with each setting named by `naming`, and a suggested value joined to it by
    /// `assigning` (the command line writes `--law chinchilla`: `assigning` is a space).
    public func rendered(naming: (Setting) -> String, assigning: String = " = ") -> String {
        parts.map { part in
            switch part {
            case let .text(text): text
            case let .setting(setting, nil): naming(setting)
            case let .setting(setting, value?): naming(setting) + assigning + value
            }
        }.joined()
    }

    /// The message in library words (``Setting/name``).
    public var description: String { rendered(naming: \.name) }
}

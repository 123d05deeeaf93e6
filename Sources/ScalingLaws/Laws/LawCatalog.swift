import Foundation

/// A law of the catalogue: its name, what it models, the settings it takes and how to build it.
///
/// Adding a law is one file conforming to ``ScalingLaw`` plus one descriptor in ``LawCatalog/descriptors``:
/// every command (fit, compare, backtest, `scaling laws`) and every saved fit finds the law, its
/// variable x and its other settings here.
public struct LawDescriptor: Sendable {
    /// The catalogue name, e.g. `chinchilla`.
    public let name: String
    /// What the law models, in one line (formula and source).
    public let summary: String
    /// The variable x of a one-variable law when none is given (`flops`, `samples`, `task_loss`); nil for
    /// a law that reads fixed variables (``Setting/x`` does not apply to it).
    public let defaultX: String?
    /// What x stands for in the summary's formula when it is not just "x" (e.g. "C" for capability).
    public let xMeaning: String?
    /// Settings besides ``Setting/x`` that the law takes (``Setting/breaks``, ``Setting/form``,
    /// ``Setting/formula``), each with the values it accepts.
    public let settings: [(setting: Setting, values: String)]
    /// Builds the law from a configuration (``ScalingLaw/configuration`` keys), once the catalogue has
    /// checked that it only names settings the law takes.
    let make: @Sendable ([String: String]) throws(ScalingLawsError) -> any ScalingLaw
    /// Builds ``reference``.
    let makeReference: @Sendable () throws(ScalingLawsError) -> LawReference

    /// A descriptor; `reference` gives the law at a typical operating point, `make` receives a configuration whose keys are `x` (for laws with a `defaultX`,
    /// always present) and the ``ScalingLaw/configuration`` keys of `settings`.
    public init(name: String, summary: String, defaultX: String? = nil, xMeaning: String? = nil,
                settings: [(setting: Setting, values: String)] = [],
                reference: @escaping @Sendable () throws(ScalingLawsError) -> LawReference,
                make: @escaping @Sendable ([String: String]) throws(ScalingLawsError) -> any ScalingLaw) {
        self.name = name
        self.summary = summary
        self.defaultX = defaultX
        self.xMeaning = xMeaning
        self.settings = settings
        self.makeReference = reference
        self.make = make
    }

    /// The law (with its defaults; the formula law with an example formula) at a typical operating
    /// point, where the conformance tests check it.
    public var reference: LawReference { get throws(ScalingLawsError) { try makeReference() } }

    /// The run variables the law reads with its defaults (empty for the formula law, whose variables
    /// are those its formula names).
    public var variables: [String] { defaultLaw?.variables ?? [] }

    /// Whether the law reads one variable x chosen by ``Setting/x``.
    public var takesX: Bool { defaultX != nil }

    /// Whether the law takes `setting` (``Setting/x`` for one-variable laws, or one of ``settings``).
    public func takes(_ setting: Setting) -> Bool {
        setting == .x ? takesX : settings.contains { $0.setting == setting }
    }

    /// The settings the law takes and their defaults, e.g. "x chooses x (default flops); breaks 1, 2 or 3".
    public var usage: Message {
        var parts = [Message]()
        if let defaultX {
            parts.append("\(.x) chooses \(xMeaning ?? "x") (default \(defaultX))")
        }
        for (setting, values) in settings {
            parts.append("\(setting) \(values)")
        }
        var out = Message("")
        for (i, part) in parts.enumerated() { out = i == 0 ? part : "\(out); \(part)" }
        return out
    }

    /// The law with its defaults (nil for a law that cannot be built without a setting: the formula law).
    public var defaultLaw: (any ScalingLaw)? {
        try? law(configuration: [:])
    }

    /// Builds the law from `configuration` (keys as in ``ScalingLaw/configuration``: `x`, `breaks`, `form`,
    /// `formula`, `variables`).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a setting the law does not take or
    ///   a value it cannot use.
    public func law(configuration: [String: String]) throws(ScalingLawsError) -> any ScalingLaw {
        var c = configuration
        if let x = c["x"], x.isEmpty { c["x"] = nil }
        for setting in LawCatalog.configurableSettings where c[LawCatalog.key(setting)] != nil && !takes(setting) {
            let value = c[LawCatalog.key(setting)] ?? ""
            if setting == .x {
                throw .invalidOption(option: .x, message: "the \(name) law reads fixed variables; \(Setting.x) applies to \(LawCatalog.names(taking: .x).joined(separator: ", ")) only (got \(value))")
            }
            throw .invalidOption(option: setting, message: "the \(name) law does not take it; it applies to \(LawCatalog.names(taking: setting).map { "the \($0) law" }.joined(separator: ", ")) only (got \(value))")
        }
        if let defaultX, c["x"] == nil { c["x"] = defaultX }
        return try make(c)
    }
}

/// The built-in laws by name, for every command and for saved fits.
public enum LawCatalog {
    /// The catalogue: one descriptor per law, in the order `scaling laws` lists them.
    public static let descriptors: [LawDescriptor] = [
        LawDescriptor(name: "power", summary: "L = A * x^-alpha (Kaplan et al. 2020), fitted in log-log space",
                      defaultX: Variable.flops,
                      reference: { .grid(PowerLaw(x: Variable.flops), parameters: [260, 0.05], ranges: [Variable.flops: 1e17...1e23]) }) { c in PowerLaw(x: c["x"] ?? Variable.flops) },
        LawDescriptor(name: "saturating", summary: "L = E + A * x^-alpha (irreducible loss; GPT-4 report)",
                      defaultX: Variable.flops,
                      reference: { .grid(SaturatingPowerLaw(x: Variable.flops), parameters: [1.7, 1200, 0.15], ranges: [Variable.flops: 1e17...1e23]) }) { c in SaturatingPowerLaw(x: c["x"] ?? Variable.flops) },
        LawDescriptor(name: "chinchilla", summary: "L = E + A/N^alpha + B/D^beta (Hoffmann et al. 2022, Approach 3)",
                      reference: { .grid(ChinchillaLaw(), parameters: [1.69, 406.4, 410.7, 0.34, 0.28], ranges: chinchillaLadder) }) { _ in ChinchillaLaw() },
        LawDescriptor(name: "kaplan", summary: "L = ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D (Kaplan et al. 2020, eq. 1.5)",
                      reference: { .grid(KaplanLaw(), parameters: [8.8e13, 0.076, 5.4e13, 0.095], ranges: chinchillaLadder) }) { _ in KaplanLaw() },
        LawDescriptor(name: "data-constrained",
                      summary: "L = E + A/N'^alpha + B/D'^beta with repeated-data decay (Muennighoff et al. 2023); needs unique_tokens",
                      reference: {
                          .grid(DataConstrainedLaw(), parameters: [exp(0.6254804), exp(6.255414), exp(7.3049974), 0.3526596, 0.3526596, 15.387756, 5.309743],
                                ranges: [Variable.params: 1e8...1e10, Variable.tokens: 1e9...1e12, DataConstrainedLaw.uniqueTokens: 1e9...1e11])
                      }) { _ in DataConstrainedLaw() },
        LawDescriptor(name: "bnsl", summary: "y = a + b x^-c0 prod_i (1 + (x/d_i)^(1/f_i))^(-c_i f_i) (Caballero et al. 2022)",
                      defaultX: Variable.flops, settings: [(.breaks, "1, 2 or 3 (default 1)")],
                      reference: { () throws(ScalingLawsError) in .grid(try BrokenPowerLaw(x: Variable.flops, breaks: 1), parameters: [1.5, 10, 0.05, 0.4, 1e4, 0.3], ranges: [Variable.flops: 1e2...1e7]) }) { c throws(ScalingLawsError) in
            let text = c["breaks"] ?? "1"
            guard let breaks = Int(text) else {
                throw .invalidOption(option: .breaks, message: "expected 1, 2 or 3, got \(displayQuoted(text))")
            }
            return try BrokenPowerLaw(x: c["x"] ?? Variable.flops, breaks: breaks)
        },
        LawDescriptor(name: "test-time", summary: "accuracy vs samples or inference compute: sigmoid in ln x (default) or min(1, a + b ln x)",
                      defaultX: "samples", settings: [(.form, "sigmoid or loglinear (default sigmoid)")],
                      reference: { .grid(TestTimeLaw(x: "samples", form: .sigmoid), parameters: [0.05, 1.2, log(30.0)], ranges: ["samples": 1...4096]) }) { c throws(ScalingLawsError) in
            let text = c["form"] ?? TestTimeLaw.Form.sigmoid.rawValue
            guard let form = TestTimeLaw.Form(rawValue: text) else {
                throw .invalidOption(option: .form, message: "expected sigmoid or loglinear, got \(displayQuoted(text))")
            }
            return TestTimeLaw(x: c["x"] ?? "samples", form: form)
        },
        LawDescriptor(name: "overtrained",
                      summary: "L = E + (a*M^eta + b*M^-eta) * C^-eta, M = D/N, C = 6ND (Gadre et al. 2024); from params and tokens",
                      reference: {
                          // Chinchilla with α = β = 0.15 (Gadre et al.'s eq. 4), on 20M-400M models at 10-40 tokens per parameter.
                          .ladder(OvertrainedLaw(), parameters: [1.8, 400 * pow(6, 0.15), 600 * pow(6, 0.15), 0.15],
                                  sizes: 2e7...4e8, tokensPerParam: 10...40, points: 5)
                      }) { _ in OvertrainedLaw() },
        LawDescriptor(name: "sigmoid", summary: "task metric vs task loss: y = a/(1 + exp(-k*(x - L0))) + b (Llama 3; Bhagia et al. 2024)",
                      defaultX: SigmoidMetricLaw.defaultX, xMeaning: "the loss column x",
                      reference: { .grid(SigmoidMetricLaw(), parameters: [0.6, 0.25, -4, 2.5], ranges: [SigmoidMetricLaw.defaultX: 1.8...3.5]) }) { c in SigmoidMetricLaw(x: c["x"] ?? SigmoidMetricLaw.defaultX) },
        LawDescriptor(name: "exp-error", summary: "task error vs loss: err = epsilon - k*exp(-gamma*x) (Gadre et al. 2024)",
                      defaultX: SigmoidMetricLaw.defaultX, xMeaning: "the loss column x",
                      reference: { .grid(ExponentialErrorLaw(), parameters: [0.9, 7, 1.5], ranges: [SigmoidMetricLaw.defaultX: 1.8...3.5]) }) { c in ExponentialErrorLaw(x: c["x"] ?? SigmoidMetricLaw.defaultX) },
        LawDescriptor(name: "capability", summary: "pass rate vs compute: -ln(pass) = alpha*C^-k (GPT-4 report)",
                      defaultX: Variable.flops, xMeaning: "C",
                      reference: { .grid(CapabilityLaw(x: Variable.flops), parameters: [2e5, 0.27], ranges: [Variable.flops: 1e18...1e23]) }) { c in CapabilityLaw(x: c["x"] ?? Variable.flops) },
        LawDescriptor(name: "multi-power",
                      summary: "L(t) = L0 + A*S1^-alpha - LD(t): whole loss curve given the learning-rate schedule (Luo et al. 2025); scaling curve/schedule",
                      reference: { .schedules(MultiPowerLaw(), parameters: [3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257]) }) { _ in MultiPowerLaw() },
        LawDescriptor(name: "momentum",
                      summary: "L(t) = L0 + A*S1^-alpha - C*S2: loss curve given the schedule, annealing momentum lambda (Tissue et al. 2024); scaling curve/schedule",
                      reference: { .schedules(MomentumLaw(), parameters: [3.07, 0.49, 0.57, 0.40, 0.995]) }) { _ in MomentumLaw() },
        LawDescriptor(name: "formula", summary: "your own law, e.g. E + A*N^-alpha + B*D^-beta",
                      settings: [(.formula, "an expression: CSV columns and N, D, C are variables, other names parameters")],
                      reference: { () throws(ScalingLawsError) in
                          // The formula law's reference is an example formula: Chinchilla's, differentiated by dual numbers.
                          .grid(try FormulaLaw("E + A*N^-alpha + B*D^-beta"), parameters: [1.69, 406.4, 0.34, 410.7, 0.28], ranges: chinchillaLadder)
                      }) { c throws(ScalingLawsError) in
            guard let text = c["formula"] else {
                throw .invalidOption(option: .formula, message: "the formula law needs its formula, e.g. \(.formula, "'E + A*N^-alpha'")")
            }
            let columns = (c["variables"] ?? "").split(separator: ",").map(String.init)
            return try FormulaLaw(text, columns: columns)
        },
    ]

    /// A ladder of 10M to 10B parameters trained on 100M to 1T tokens, for laws of N and D.
    static let chinchillaLadder: [String: ClosedRange<Double>] = [Variable.params: 1e7...1e10, Variable.tokens: 1e8...1e12]

    /// Catalogue names with one-line descriptions.
    public static var entries: [(name: String, summary: String)] { descriptors.map { ($0.name, $0.summary) } }

    /// All names.
    public static var names: [String] { descriptors.map(\.name) }

    /// The settings a configuration may give a catalogue law, besides the formula law's `variables`.
    static let configurableSettings: [Setting] = [.x, .breaks, .form, .formula]

    /// The ``ScalingLaw/configuration`` key of a configurable setting.
    static func key(_ setting: Setting) -> String { setting == .formula ? "formula" : setting.rawValue }

    /// The names of the laws that take `setting`.
    public static func names(taking setting: Setting) -> [String] {
        descriptors.filter { $0.takes(setting) }.map(\.name)
    }

    /// The descriptor of the law called `name` (case-insensitive).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` (``Setting/law``) for an unknown name.
    public static func descriptor(named name: String) throws(ScalingLawsError) -> LawDescriptor {
        guard let found = descriptors.first(where: { $0.name == name.lowercased() }) else {
            throw .invalidOption(option: .law, message: "unknown law \(displayQuoted(name)); choose one of \(names.joined(separator: ", "))")
        }
        return found
    }

    /// Builds the law called `name`. `x` is the variable of one-variable laws (`params`, `tokens`,
    /// `flops` or a CSV column; default ``LawDescriptor/defaultX``).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for an unknown name or a setting the
    ///   law does not take.
    public static func law(named name: String, x: String? = nil) throws(ScalingLawsError) -> any ScalingLaw {
        var configuration = [String: String]()
        if let x { configuration["x"] = x }
        return try law(named: name, configuration: configuration)
    }

    /// Rebuilds a law from its name and ``ScalingLaw/configuration`` (`x`, `breaks`, `form`, `formula`,
    /// `variables`).
    public static func law(named name: String, configuration: [String: String]) throws(ScalingLawsError) -> any ScalingLaw {
        try descriptor(named: name).law(configuration: configuration)
    }

    /// Builds several laws to compare with one configuration: each setting goes to the laws that take it
    /// (x to the one-variable laws, breaks to bnsl, …), and a setting that none of them takes is an error
    /// rather than silently ignored.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for an unknown name or a setting no
    ///   named law takes.
    public static func laws(named names: [String], configuration: [String: String]) throws(ScalingLawsError) -> [any ScalingLaw] {
        var found = [LawDescriptor]()
        for name in names { found.append(try descriptor(named: name)) }
        if found.count == 1 { return [try found[0].law(configuration: configuration)] }
        for setting in configurableSettings {
            guard let value = configuration[key(setting)], !value.isEmpty, !found.contains(where: { $0.takes(setting) }) else { continue }
            throw .invalidOption(option: setting, message: "none of the laws compared (\(found.map(\.name).joined(separator: ", "))) takes \(setting, value); it applies to \(Self.names(taking: setting).joined(separator: ", "))")
        }
        var out = [any ScalingLaw]()
        for descriptor in found {
            let own = configuration.filter { key, _ in
                !configurableSettings.contains { Self.key($0) == key && !descriptor.takes($0) }
            }
            out.append(try descriptor.law(configuration: own))
        }
        return out
    }
}

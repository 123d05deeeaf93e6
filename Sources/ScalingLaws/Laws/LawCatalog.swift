/// The built-in laws by name, for the command line and saved fits.
public enum LawCatalog {
    /// Catalogue names with one-line descriptions.
    public static let entries: [(name: String, summary: String)] = [
        ("power", "L = A * x^-alpha (Kaplan et al. 2020), fitted in log-log space; --x chooses x"),
        ("saturating", "L = E + A * x^-alpha (irreducible loss; GPT-4 report); --x chooses x"),
        ("chinchilla", "L = E + A/N^alpha + B/D^beta (Hoffmann et al. 2022, Approach 3)"),
        ("kaplan", "L = ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D (Kaplan et al. 2020, eq. 1.5)"),
        ("data-constrained", "L = E + A/N'^alpha + B/D'^beta with repeated-data decay (Muennighoff et al. 2023); needs unique_tokens"),
        ("bnsl", "y = a + b x^-c0 prod_i (1 + (x/d_i)^(1/f_i))^(-c_i f_i) (Caballero et al. 2022); --breaks 1-3, --x"),
        ("test-time", "accuracy vs samples or inference compute: sigmoid in ln x (default) or min(1, a + b ln x); --form, --x"),
        ("overtrained", "L = E + (a*M^eta + b*M^-eta) * C^-eta, M = D/N, C = 6ND (Gadre et al. 2024); from params and tokens"),
        ("sigmoid", "task metric vs task loss: y = a/(1 + exp(-k*(x - L0))) + b (Llama 3; Bhagia et al. 2024); --x is the loss column (default task_loss)"),
        ("exp-error", "task error vs loss: err = epsilon - k*exp(-gamma*x) (Gadre et al. 2024); --x is the loss column (default task_loss)"),
        ("capability", "pass rate vs compute: -ln(pass) = alpha*C^-k (GPT-4 report); --x chooses C (default flops)"),
        ("multi-power", "L(t) = L0 + A*S1^-alpha - LD(t): whole loss curve given the learning-rate schedule (Luo et al. 2025); scaling curve/schedule"),
        ("momentum", "L(t) = L0 + A*S1^-alpha - C*S2: loss curve given the schedule, annealing momentum lambda (Tissue et al. 2024); scaling curve/schedule"),
        ("formula", "your own: --formula 'E + A*N^-alpha + B*D^-beta'"),
    ]

    /// All names.
    public static var names: [String] { entries.map(\.name) }

    /// Builds the law called `name`. `x` is the variable of one-variable laws (`params`, `tokens`,
    /// `flops` or a CSV column; default `flops`, `samples` for test-time, `task_loss` for sigmoid and
    /// exp-error).
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
    public static func law(named name: String, configuration c: [String: String]) throws(ScalingLawsError) -> any ScalingLaw {
        let x = c["x"].flatMap { $0.isEmpty ? nil : $0 }
        func noX() throws(ScalingLawsError) {
            if let x {
                throw .invalidOption(option: "--x", message: "the \(name) law reads fixed variables; --x applies to power, saturating, bnsl, test-time, sigmoid, exp-error and capability only (got \(x))")
            }
        }
        switch name.lowercased() {
        case "power":
            return PowerLaw(x: x ?? Variable.flops)
        case "saturating":
            return SaturatingPowerLaw(x: x ?? Variable.flops)
        case "chinchilla":
            try noX()
            return ChinchillaLaw()
        case "kaplan":
            try noX()
            return KaplanLaw()
        case "data-constrained":
            try noX()
            return DataConstrainedLaw()
        case "bnsl":
            let text = c["breaks"] ?? "1"
            guard let breaks = Int(text) else {
                throw .invalidOption(option: "--breaks", message: "expected 1, 2 or 3, got \"\(text)\"")
            }
            return try BrokenPowerLaw(x: x ?? Variable.flops, breaks: breaks)
        case "test-time":
            let text = c["form"] ?? TestTimeLaw.Form.sigmoid.rawValue
            guard let form = TestTimeLaw.Form(rawValue: text) else {
                throw .invalidOption(option: "--form", message: "expected sigmoid or loglinear, got \"\(text)\"")
            }
            return TestTimeLaw(x: x ?? "samples", form: form)
        case "overtrained":
            try noX()
            return OvertrainedLaw()
        case "sigmoid":
            return SigmoidMetricLaw(x: x ?? SigmoidMetricLaw.defaultX)
        case "exp-error":
            return ExponentialErrorLaw(x: x ?? SigmoidMetricLaw.defaultX)
        case "capability":
            return CapabilityLaw(x: x ?? Variable.flops)
        case "multi-power":
            try noX()
            return MultiPowerLaw()
        case "momentum":
            try noX()
            return MomentumLaw()
        case "formula":
            guard let text = c["formula"] else {
                throw .invalidOption(option: "--formula", message: "the formula law needs its formula, e.g. --formula 'E + A*N^-alpha'")
            }
            let columns = (c["variables"] ?? "").split(separator: ",").map(String.init)
            return try FormulaLaw(text, columns: columns)
        default:
            throw .invalidOption(option: "--law", message: "unknown law \"\(name)\"; choose one of \(names.joined(separator: ", "))")
        }
    }
}

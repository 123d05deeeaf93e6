/// The built-in laws by name, for the command line and saved fits.
public enum LawCatalog {
    /// Catalogue names with one-line descriptions.
    public static let entries: [(name: String, summary: String)] = [
        ("power", "L = A * x^-alpha (Kaplan et al. 2020), fitted in log-log space; --x chooses x"),
        ("saturating", "L = E + A * x^-alpha (irreducible loss; GPT-4 report); --x chooses x"),
        ("chinchilla", "L = E + A/N^alpha + B/D^beta (Hoffmann et al. 2022, Approach 3)"),
    ]

    /// All names.
    public static var names: [String] { entries.map(\.name) }

    /// Builds the law called `name`. `x` is the variable of one-variable laws (`params`, `tokens`,
    /// `flops` or a CSV column; default `flops`).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for an unknown name or a setting the
    ///   law does not take.
    public static func law(named name: String, x: String? = nil) throws(ScalingLawsError) -> any ScalingLaw {
        switch name.lowercased() {
        case "power":
            return PowerLaw(x: x ?? Variable.flops)
        case "saturating":
            return SaturatingPowerLaw(x: x ?? Variable.flops)
        case "chinchilla":
            if let x, !x.isEmpty {
                throw .invalidOption(option: "--x", message: "the chinchilla law reads both params and tokens; --x applies to power and saturating only (got \(x))")
            }
            return ChinchillaLaw()
        default:
            throw .invalidOption(option: "--law", message: "unknown law \"\(name)\"; choose one of \(names.joined(separator: ", "))")
        }
    }

    /// Rebuilds a law from its name and ``ScalingLaw/configuration``.
    public static func law(named name: String, configuration: [String: String]) throws(ScalingLawsError) -> any ScalingLaw {
        try law(named: name, x: configuration["x"])
    }
}

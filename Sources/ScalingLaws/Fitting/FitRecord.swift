import Foundation

/// The JSON form of a fit: what `scaling fit --format json` prints and `--save` writes, and what
/// `--fit FILE` reads back to predict or plan without refitting.
///
/// Keys: `law`, `formula`, `configuration`, `parameters` (name → value, names as in the formula),
/// `fixed`, `objective` (`loss`, `delta`, `space`, `value`, `definition`), `runs`,
/// `flops_per_param_token`, `solver`, `start_search` and `training_runs` (the runs fitted, so that a saved
/// fit can still give intervals and be bootstrapped).
public struct FitRecord: Sendable, Codable, Hashable {
    /// The objective as recorded.
    public struct ObjectiveRecord: Sendable, Codable, Hashable {
        /// The per-residual loss, e.g. `huber`.
        public var loss: String
        /// The scale δ of a robust loss.
        public var delta: Double?
        /// Expectile τ, for the asymmetric loss only.
        public var tau: Double? = nil
        /// Where residuals are taken: `log` or `linear`.
        public var space: String
        /// The objective at the optimum.
        public var value: Double?
        /// The objective in words.
        public var definition: String
    }

    /// Identifies the file type.
    public var format: String = "scaling-laws-fit"
    /// Format version.
    public var version: Int = 1
    /// The law's catalogue name.
    public var law: String
    /// The law's formula.
    public var formula: String
    /// How to rebuild the law (e.g. its variable x).
    public var configuration: [String: String]
    /// The fitted parameters by name.
    public var parameters: [String: Double]
    /// Parameters that were held fixed.
    public var fixed: [String]
    /// The objective minimised, and its value.
    public var objective: ObjectiveRecord
    /// Number of runs fitted.
    public var runs: Int
    /// k in C = k·N·D.
    public var flopsPerParamToken: Double
    /// The solver's summary.
    public var solver: SolverSummary
    /// The multi-start search.
    public var startSearch: StartSearchReport
    /// The runs fitted (absent when no data was used).
    public var trainingRuns: [Run]?
    /// Parameter ties (follower → leader), when any.
    public var ties: [String: String]?
    /// Parameter bounds set by the user, when any.
    public var bounds: [String: ClosedBounds]?

    enum CodingKeys: String, CodingKey {
        case format, version, law, formula, configuration, parameters, fixed, objective, runs, solver
        case flopsPerParamToken = "flops_per_param_token"
        case startSearch = "start_search"
        case trainingRuns = "training_runs"
        case ties, bounds
    }
}

extension Objective {
    /// The objective as recorded in JSON, with its value.
    public func record(value: Double?) -> FitRecord.ObjectiveRecord {
        FitRecord.ObjectiveRecord(
            loss: loss.rawValue, delta: (loss == .mse || loss == .asymmetric) ? nil : delta, tau: loss == .asymmetric ? tau : nil,
            space: space.rawValue, value: value, definition: definition)
    }
}

extension FitResult {
    /// This fit as a ``FitRecord``.
    ///
    /// The record holds the training runs as an array of ``Run`` (72 bytes a run, and a JSON tree when
    /// encoded): to write a fit's JSON, ``write(to:inputs:)`` and ``writeJSON(adding:to:)`` stream the runs
    /// instead.
    public var record: FitRecord {
        record(trainingRuns: trainingSet.isEmpty ? nil : trainingRuns)
    }

    /// This fit as a ``FitRecord`` without its training runs (`trainingRuns` nil), for a report that names
    /// the fit but not its data: the runs are not made into an array.
    public var recordWithoutTrainingRuns: FitRecord {
        record(trainingRuns: nil)
    }

    /// This fit as a ``FitRecord`` with the given `training_runs`.
    func record(trainingRuns: [Run]?) -> FitRecord {
        FitRecord(
            law: law.name, formula: law.formula, configuration: law.configuration,
            parameters: parameterValues, fixed: fixed.sorted(),
            objective: objective.record(value: objectiveValue),
            runs: runs, flopsPerParamToken: flopsPerParamToken, solver: summary, startSearch: search,
            trainingRuns: trainingRuns,
            ties: constraints.ties.isEmpty ? nil : constraints.ties, bounds: constraints.bounds.isEmpty ? nil : constraints.bounds)
    }

    /// Rebuilds a fit from its record (parameters only: residuals are not stored).
    ///
    /// - Throws: ``ScalingLawsError/badFitFile(path:message:)`` naming what is wrong.
    public init(record: FitRecord, source: String = "fit file") throws(ScalingLawsError) {
        try self.init(record: record, trainingSet: RunStore(wrapping: record.trainingRuns ?? []), source: source)
    }

    /// Rebuilds a fit from its record, with `trainingSet` as its training runs (the record's
    /// `trainingRuns`, or the runs read from the file by ``RunsJSONReader``).
    init(record: FitRecord, trainingSet: RunStore, source: String) throws(ScalingLawsError) {
        guard record.format == "scaling-laws-fit" else {
            throw .badFitFile(path: source, message: "\"format\" is \"\(record.format)\", expected \"scaling-laws-fit\" (write one with scaling fit \(.fitFile))")
        }
        let law: any ScalingLaw
        do {
            law = try LawCatalog.law(named: record.law, configuration: record.configuration)
        } catch {
            throw .badFitFile(path: source, message: Message(error.description))
        }
        for name in law.parameterNames where record.parameters[name] == nil {
            throw .badFitFile(path: source, message: "parameter \(name) of the \(law.name) law is missing")
        }
        // A name the law does not have (a renamed key, or a law name edited to another law's) would
        // otherwise be dropped silently and the fit read as a different law.
        let names = law.parameterNames.joined(separator: ", ")
        for name in record.parameters.keys.sorted() where law.parameterIndex(name) == nil {
            throw .badFitFile(path: source, message: "\"parameters\" has \(name), which the \(law.name) law does not have; its parameters are \(names)")
        }
        for name in record.fixed where law.parameterIndex(name) == nil {
            throw .badFitFile(path: source, message: "\"fixed\" names \(name), which the \(law.name) law does not have; its parameters are \(names)")
        }
        guard record.runs >= 0 else {
            throw .badFitFile(path: source, message: "\"runs\" must be a count of runs (0 or more), got \(record.runs)")
        }
        if !trainingSet.isEmpty, trainingSet.count != record.runs {
            throw .badFitFile(path: source, message: "\"runs\" is \(record.runs) but \"training_runs\" holds \(trainingSet.count) runs")
        }
        if let value = record.objective.value, !value.isFinite {
            throw .badFitFile(path: source, message: "the objective's \"value\" must be a finite number, got \(value)")
        }
        guard let loss = Objective.Loss(rawValue: record.objective.loss),
              let space = Objective.Space(rawValue: record.objective.space) else {
            throw .badFitFile(path: source, message: "unknown objective \(record.objective.loss) in \(record.objective.space) space")
        }
        guard record.flopsPerParamToken > 0, record.flopsPerParamToken.isFinite else {
            throw .badFitFile(path: source, message: "flops_per_param_token must be positive")
        }
        let objective = Objective(loss: loss, delta: record.objective.delta ?? 1e-3, space: space, tau: record.objective.tau ?? 0.1)
        let constraints = ParameterConstraints(ties: record.ties ?? [:], bounds: record.bounds ?? [:])
        let layout: ParameterLayout
        do throws(ScalingLawsError) {
            try objective.validate()
            // The ties and bounds must be ones the law can take (a refit of a saved fit uses them) …
            let constrained = try ParameterLayout(law: law, constraints: constraints)
            layout = try ParameterLayout(law: law, fixed: record.parameters)
            // … and the saved values must satisfy them.
            for (name, b) in constraints.bounds.sorted(by: { $0.key < $1.key }) {
                guard b.lower < b.upper else {
                    throw ScalingLawsError.invalidOption(option: .bounds, message: "\(name): expected lower < upper, got \(b.lower):\(b.upper)")
                }
            }
            for j in 0..<law.parameterNames.count {
                let name = law.parameterNames[j], value = record.parameters[name] ?? .nan
                // A value the solver put at a bound may sit one rounding step beyond it.
                let lo = constrained.lower[j], hi = constrained.upper[j]
                let slack = 1e-12 * max(1, lo.isFinite ? abs(lo) : 0, hi.isFinite ? abs(hi) : 0)
                guard lo - slack <= value && value <= hi + slack else {
                    throw ScalingLawsError.invalidOption(option: .bounds, message: "\(name) = \(value) lies outside its bounds \(constrained.lower[j]):\(constrained.upper[j])")
                }
                if constrained.leaderOf[j] != j, let leader = record.parameters[law.parameterNames[constrained.leaderOf[j]]], leader != value {
                    throw ScalingLawsError.invalidOption(option: .ties, message: "\(name) is tied to \(law.parameterNames[constrained.leaderOf[j]]) but the values differ (\(value) and \(leader))")
                }
            }
        } catch {
            throw .badFitFile(path: source, message: Message(error.description))
        }
        let theta = layout.fullVector(free: [])
        var residuals = [Double]()
        if !trainingSet.isEmpty {
            do {
                residuals = try law.residuals(theta, runs: trainingSet, objective: objective, flopsPerParamToken: record.flopsPerParamToken)
                _ = try law.trainingWeights(trainingSet)
            } catch {
                throw .badFitFile(path: source, message: "training_runs: \(error.description)")
            }
        }
        self.init(law: law, parameters: theta, fixed: Set(record.fixed), objective: objective,
                  objectiveValue: record.objective.value, residuals: residuals, runs: record.runs, summary: record.solver,
                  search: record.startSearch, flopsPerParamToken: record.flopsPerParamToken, trainingSet: trainingSet,
                  constraints: constraints, jacobian: nil)
    }

    /// Reads a fit saved with ``write(to:inputs:)`` or `scaling fit --save`.
    ///
    /// The training runs are read straight into a ``RunStore`` by column (a fit of a million checkpoints
    /// holds some 16 MB of runs, not a `JSONDecoder` tree and an array of ``Run``); a file that reader
    /// does not take is decoded whole by `JSONDecoder`, with the same result or error.
    public init(contentsOf path: String) throws(ScalingLawsError) {
        try CSVStream.checkReadable(path, what: "a fit file")
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, message: "cannot read the fit file (\(CSVTable.reason(error)))")
        }
        // Read back what ``JSON/encode(_:)`` writes: an unbounded side of a bound is the string "inf".
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        if let (record, runs) = RunsJSONReader.read(data, decoder: decoder) {
            try self.init(record: record, trainingSet: runs, source: path)
            return
        }
        let record: FitRecord
        do {
            record = try decoder.decode(FitRecord.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badFitFile(path: path, message: "key \"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let where_ = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .badFitFile(path: path, message: "unexpected value at \"\(where_)\"")
        } catch {
            throw .badFitFile(path: path, message: "not valid JSON")
        }
        try self.init(record: record, source: path)
    }

    /// Writes the fit as JSON, atomically and never onto one of `inputs` (see ``AtomicFile``): the bytes
    /// of ``JSON/encode(_:)`` of ``record``, streamed to the file by ``writeJSON(adding:to:)`` (the
    /// training runs are not made into an array or a JSON tree).
    public func write(to path: String, inputs: [String] = []) throws(ScalingLawsError) {
        try AtomicFile.write(to: path, option: .fitFile, inputs: inputs) { (write) throws(ScalingLawsError) in
            do {
                try writeJSON { bytes in try write(bytes) }
            } catch let error as ScalingLawsError {
                throw error
            } catch {
                throw .io(path: path, message: "cannot encode the fit (\(error))")
            }
        }
    }
}

/// Deterministic JSON encoding (sorted keys, pretty-printed) used for every JSON the package writes.
///
/// Keys are snake_case: a Swift property `lawInterval` is written `law_interval`
/// (`.convertToSnakeCase`), so a type names its keys by naming its properties. Dictionary keys (parameter
/// and column names) are written as they are.
public enum JSON {
    /// Encodes `value` with sorted keys; non-finite numbers become the strings "inf", "-inf", "nan".
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }
}

import Foundation
import ScalingLaws
import Testing

/// Conformance checks that every law of the catalogue must pass, in the manner of swift-collections'
/// conformance checkers: the checks know no particular law; they take each law at the typical
/// operating point its descriptor declares (``LawDescriptor/reference``). The tests iterate
/// ``LawCatalog/descriptors``, so a law added to the catalogue is checked without any new test.
@Suite("Every catalogue law conforms")
struct LawConformanceTests {
    static var names: [String] { LawCatalog.names }

    @Test("The catalogue names each law once, and each descriptor builds its law", arguments: names)
    func descriptor(_ name: String) throws {
        #expect(LawCatalog.names.filter { $0 == name }.count == 1)
        let descriptor = try LawCatalog.descriptor(named: name)
        let reference = try descriptor.reference
        #expect(reference.law.name == name)
        #expect(!descriptor.summary.isEmpty && !descriptor.summary.contains("--"), "the summary is in library words")
        // The descriptor's x agrees with the law: a law takes x exactly when its configuration carries it.
        #expect(descriptor.takesX == (reference.law.configuration["x"] != nil))
        if let x = descriptor.defaultX {
            #expect(descriptor.defaultLaw?.variables == [x])
            #expect(try LawCatalog.law(named: name, x: "my_column").variables == ["my_column"])
        } else {
            #expect(throws: ScalingLawsError.self) { try LawCatalog.law(named: name, x: "my_column") }
        }
        // A saved fit's name and configuration rebuild the same law.
        if !(reference.law is any ScheduleAwareLaw) {
            let rebuilt = try LawCatalog.law(named: name, configuration: reference.law.configuration)
            #expect(rebuilt.parameterNames == reference.law.parameterNames && rebuilt.variables == reference.law.variables)
            #expect(rebuilt.evaluate(reference.parameters, reference.inputs) == reference.values)
        }
    }

    @Test("Parameter names are unique, the reference point is finite", arguments: names)
    func parameters(_ name: String) throws {
        let reference = try LawCatalog.descriptor(named: name).reference
        let law = reference.law
        #expect(!law.parameters.isEmpty && Set(law.parameterNames).count == law.parameters.count, "\(law.parameterNames)")
        #expect(!law.variables.isEmpty && Set(law.variables).count == law.variables.count, "\(law.variables)")
        #expect(reference.parameters.count == law.parameters.count)
        for (p, value) in zip(law.parameters, reference.parameters) {
            #expect(value.isFinite && (!p.isPositive || value > 0), "\(name).\(p.name) = \(value)")
            #expect(law.parameterIndex(p.name) == law.parameterNames.firstIndex(of: p.name))
        }
        #expect(reference.inputs.count >= 2 * law.parameters.count, "the reference has enough points to fit")
        #expect(reference.values.allSatisfy { $0.isFinite })
    }

    @Test("The Jacobian matches central differences", arguments: names)
    func jacobian(_ name: String) throws {
        let reference = try LawCatalog.descriptor(named: name).reference
        expectJacobianMatchesCentralDifferences(reference.law, reference.parameters, reference.inputs, relativeStep: 1e-6, tolerance: 1e-5)
    }

    @Test("evaluate equals its offset plus basis · the linear parameters", arguments: names)
    func linearParameters(_ name: String) throws {
        let reference = try LawCatalog.descriptor(named: name).reference
        let law = reference.law, theta = reference.parameters, x = reference.inputs
        let linear = law.parameters.indices.filter { law.parameters[$0].isLinear }
        var basis = Matrix(rows: x.count, columns: linear.count)
        law.basis(theta, x, into: &basis)
        // The offset: f with every linear parameter at zero.
        var zeroed = theta
        for j in linear { zeroed[j] = 0 }
        let offset = law.evaluate(zeroed, x), f = law.evaluate(theta, x)
        for i in 0..<x.count {
            let combined = offset[i] + linear.indices.reduce(0) { $0 + basis[i, $1] * theta[linear[$1]] }
            #expect(abs(f[i] - combined) <= 1e-9 * max(1, abs(f[i])), "\(name) at point \(i): \(f[i]) vs \(combined)")
        }
        // Each basis column alone, and the declared structure.
        for k in linear.indices {
            var column = [Double](repeating: .nan, count: x.count)
            law.basisColumn(k, theta, x, into: &column)
            for i in 0..<x.count { #expect(abs(column[i] - basis[i, k]) <= 1e-12 * max(1, abs(basis[i, k])), "\(name) column \(k)") }
        }
        if let structure = law.basisStructure {
            #expect(structure.columnParameters.count == linear.count)
            if !structure.hasOffset { #expect(offset.allSatisfy { $0 == 0 }, "\(name) declares no offset") }
            // A column changes with no parameter it does not declare: move every other nonlinear one.
            for (k, reads) in structure.columnParameters.enumerated() {
                var moved = theta
                for j in law.parameters.indices where !law.parameters[j].isLinear && !reads.contains(j) { moved[j] *= 1.1 }
                var a = [Double](repeating: 0, count: x.count), b = a
                law.basisColumn(k, theta, x, into: &a)
                law.basisColumn(k, moved, x, into: &b)
                #expect(a == b, "\(name) column \(k) reads only parameters \(reads)")
            }
        }
    }

    @Test("The start search has finite starts of the right length", arguments: names)
    func starts(_ name: String) throws {
        let reference = try LawCatalog.descriptor(named: name).reference
        let law = reference.law, y = reference.values
        let grid = law.startGrid(reference.inputs, response: y)
        let guesses = law.initialGuesses(reference.inputs, response: y)
        // A law may start from its grid, from closed-form guesses (data-constrained starts from a
        // Chinchilla fit), or both; it must have some start.
        #expect(!grid.isEmpty || !guesses.isEmpty, "\(name) has no start")
        for point in grid { #expect(point.count == law.parameters.count && point.allSatisfy(\.isFinite), "\(name) grid point \(point)") }
        for guess in guesses { #expect(guess.count == law.parameters.count && guess.allSatisfy(\.isFinite), "\(name) guess \(guess)") }
    }

    @Test("A fit to the law's own values recovers its parameters", arguments: names)
    func recovery(_ name: String) throws {
        let reference = try LawCatalog.descriptor(named: name).reference
        let law = reference.law
        var options = FitOptions(objective: law.defaultObjective ?? Objective())
        if let scheduled = law as? any ScheduleAwareLaw {
            // Parameters a schedule-aware law holds by default (the momentum decay) stay at the reference.
            for key in scheduled.defaultFixed.keys {
                options.constraints.fixed[key] = reference.parameters[try #require(law.parameterIndex(key))]
            }
        }
        let fit = try law.fit(reference.runs, options: options)
        for (j, p) in law.parameters.enumerated() {
            #expect(relativeError(fit.parameters[j], reference.parameters[j]) < 1e-3,
                    "\(name).\(p.name): fitted \(fit.parameters[j]), reference \(reference.parameters[j])")
        }
        let refitted = law.evaluate(fit.parameters, reference.inputs)
        for (a, b) in zip(refitted, reference.values) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(name): \(a) vs \(b)") }
    }
}

@Suite("The catalogue hands settings to the laws that take them")
struct LawCatalogSettingsTests {
    @Test("x goes to one-variable laws, breaks to bnsl, form to test-time; a setting no law takes is refused")
    func settings() throws {
        #expect(LawCatalog.names(taking: .x) == ["power", "saturating", "bnsl", "test-time", "sigmoid", "exp-error", "capability"])
        #expect(LawCatalog.names(taking: .breaks) == ["bnsl"] && LawCatalog.names(taking: .form) == ["test-time"])
        let laws = try LawCatalog.laws(named: ["power", "chinchilla", "bnsl"], configuration: ["x": "params", "breaks": "2"])
        #expect(laws.map(\.variables) == [["params"], ["params", "tokens"], ["params"]])
        #expect(laws[2].parameters.count == 9)
        for (names, configuration, setting) in [(["kaplan", "chinchilla"], ["x": "flops"], Setting.x),
                                                (["chinchilla"], ["x": "flops"], .x),
                                                (["power", "chinchilla"], ["breaks": "2"], .breaks),
                                                (["chinchilla"], ["form": "loglinear"], .form),
                                                (["nope"], [:], .law)] {
            let error = try #require(#expect(throws: ScalingLawsError.self) { try LawCatalog.laws(named: names, configuration: configuration) })
            #expect(error.settings.first == setting, "\(names) \(configuration): \(error)")
        }
        // An empty x is no x (a saved fit of a fixed-variable law may carry one).
        #expect(try LawCatalog.law(named: "chinchilla", configuration: ["x": ""]).name == "chinchilla")
    }
}

import Foundation
import Testing
@testable import ScalingLaws

/// The fit's fast paths (normal equations by Cholesky, shared basis columns, the solver's kept Jacobian)
/// against the reference paths they replace (LAPACK's SVD and QR on the rectangular problems, a basis per
/// grid point, a rebuilt Jacobian), computed in the same test so that LAPACK builds do not matter.
@Suite("Fast fit paths give the reference optimum")
struct FitPathTests {
    private func options(_ solves: LinearSolves, _ configure: (inout FitOptions) -> Void = { _ in }) -> FitOptions {
        var o = FitOptions()
        o.solver.linearSolves = solves
        configure(&o)
        return o
    }

    /// The optimum is determined only to the solver's tolerance (a relative decrease below 1e-12 per step
    /// stops it), and along the (A, α) and (B, β) ridges (correlations 0.999) that leaves the parameters
    /// free at ≈ 1e-7 relative while the objective moves by less than 1e-12: two step solvers that each
    /// stop at the tolerance agree to that, not to 1e-10.
    @Test("Chinchilla, 240 runs: normal-equation steps and projections reach LAPACK's optimum")
    func chinchillaOptimum() throws {
        let runs = try chinchillaRuns()
        let fast = try ChinchillaLaw().fit(runs, options: options(.normalEquations))
        let reference = try ChinchillaLaw().fit(runs, options: options(.lapack))
        #expect(relativeError(try #require(fast.objectiveValue), try #require(reference.objectiveValue)) < 1e-12)
        for j in fast.parameters.indices {
            #expect(relativeError(fast.parameters[j], reference.parameters[j]) < 1e-6, "\(fast.law.parameterNames[j])")
        }
        // Before the fast paths existed (same data, objective and defaults) the fit gave these values.
        #expect(relativeError(fast.objectiveValue!, 0.0010182740178010224) < 1e-12)
        for (j, before) in [1.8172179897870808, 477.82513664151264, 2143.418920123894, 0.3473104036787164, 0.3671724703916652].enumerated() {
            #expect(relativeError(fast.parameters[j], before) < 1e-6, "\(fast.law.parameterNames[j])")
        }
        #expect(fast.search == reference.search)

        // Asymptotic intervals follow the parameters (the same ≈ 1e-7), bootstrap intervals too.
        let a = try fast.asymptoticUncertainty(), b = try reference.asymptoticUncertainty()
        for j in a.intervals.indices {
            #expect(relativeError(a.intervals[j].low, b.intervals[j].low) < 1e-6)
            #expect(relativeError(a.intervals[j].high, b.intervals[j].high) < 1e-6)
            #expect(relativeError(a.standardErrors[j], b.standardErrors[j]) < 1e-5)
        }
        let boot = BootstrapOptions(replicates: 40, seed: 3)
        let fb = try fast.bootstrap(boot), rb = try reference.bootstrap(boot)
        for j in fb.intervals.indices {
            #expect(relativeError(fb.intervals[j].low, rb.intervals[j].low) < 1e-5)
            #expect(relativeError(fb.intervals[j].high, rb.intervals[j].high) < 1e-5)
        }
    }

    @Test("Ties, fixed values, bounds and run weights: both paths reach the same optimum")
    func constrainedAndWeighted() throws {
        var runs = try chinchillaRuns()
        for i in runs.indices { runs[i].weight = Double(1 + i % 3) }
        let setups: [(String, (inout FitOptions) -> Void)] = [
            ("tie", { $0.constraints.ties = ["beta": "alpha"] }),
            ("fix E", { $0.fixed = ["E": 1.8] }),
            ("bounds", { $0.constraints.bounds = ["alpha": ClosedBounds(0.2, 0.3), "E": ClosedBounds(1.9, 3)] }),
            ("mse linear", { $0.objective = Objective(loss: .mse, space: .linear) }),
        ]
        for (name, configure) in setups {
            let fast = try ChinchillaLaw().fit(runs, options: options(.normalEquations, configure))
            let reference = try ChinchillaLaw().fit(runs, options: options(.lapack, configure))
            #expect(relativeError(fast.objectiveValue!, reference.objectiveValue!) < 1e-10, "\(name)")
            for j in fast.parameters.indices {
                #expect(relativeError(fast.parameters[j], reference.parameters[j]) < 1e-5, "\(name) \(fast.law.parameterNames[j])")
            }
        }
    }

    @Test("Start search: every grid point scores the same under Cholesky and SVD projections")
    func startScores() throws {
        let runs = try chinchillaRuns()
        let law = ChinchillaLaw()
        let layout = try ParameterLayout(law: law, constraints: ParameterConstraints())
        let (inputs, y) = try law.trainingData(runs, flopsPerParamToken: 6, space: .log)
        let model = ResidualModel(law: law, layout: layout, inputs: inputs, y: y, space: .log)
        let candidates = law.startCandidates(problem: model, inputs: inputs, y: y, initial: [:])
        let loss = Objective().robustLoss
        let fast = model.scoreStarts(candidates, loss: loss, solves: .normalEquations)
        let reference = model.scoreStarts(candidates, loss: loss, solves: .lapack)
        #expect(fast.count == 256)
        for (f, r) in zip(fast, reference) {
            let f = try #require(f), r = try #require(r)
            #expect(relativeError(f.cost, r.cost) < 1e-10)
            for (a, b) in zip(f.u, r.u) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
        }
        // Shared columns (the law's declared structure) against a basis per grid point: the same bits.
        let plain = ResidualModel(law: Undeclared(law: law), layout: layout, inputs: inputs, y: y, space: .log)
        let perPoint = plain.scoreStarts(candidates, loss: loss, solves: .normalEquations)
        for (f, p) in zip(fast, perPoint) {
            #expect(f?.cost == p?.cost)
            #expect(f?.u == p?.u)
        }
    }

    @Test("An ill-conditioned projection falls back to LAPACK: the same bits as the LAPACK path")
    func illConditionedFallsBack() throws {
        // x within 1e-6 of each other: the columns 1 and x^-alpha are collinear to ≈ 1e-7, so the 2 × 2
        // normal equations have a condition number far above 1e10 and must not be used.
        let law = SaturatingPowerLaw(x: "flops")
        // The data follow the law exactly, so E and A come out positive and no bound is touched (a
        // bound would leave a single, well-conditioned column to solve).
        let x = (0..<50).map { 1e9 * (1 + 1e-6 * Double($0)) }
        for alpha in [0.05, 0.3, 1.0] {
            let y = x.map { 1.5 + 300 * pow($0, -alpha) }
            let layout = try ParameterLayout(law: law, constraints: ParameterConstraints())
            let model = ResidualModel(law: law, layout: layout, inputs: Inputs(columns: [x]), y: y, space: .log)
            let theta = [Double.nan, .nan, alpha]
            let fast = LinearProjection(model: model, solves: .normalEquations).project(theta)
            let reference = LinearProjection(model: model, solves: .lapack).project(theta)
            #expect(fast.theta.map(\.bitPattern) == reference.theta.map(\.bitPattern), "alpha \(alpha)")
            #expect(fast.f.map(\.bitPattern) == reference.f.map(\.bitPattern), "alpha \(alpha)")
        }
    }

    @Test("The fit keeps the solver's Jacobian; the asymptotic intervals equal those from a rebuilt one")
    func keptJacobian() throws {
        let runs = try chinchillaRuns()
        let fit = try ChinchillaLaw().fit(runs)
        let kept = try #require(fit.jacobian)
        #expect(kept.rows == 240 && kept.columns == 5)
        let layout = try ParameterLayout(law: fit.law, constraints: ParameterConstraints())
        let (inputs, y) = try ChinchillaLaw().trainingData(runs, flopsPerParamToken: 6, space: .log)
        let model = ResidualModel(law: ChinchillaLaw(), layout: layout, inputs: inputs, y: y, space: .log)
        var rebuilt = Matrix(rows: 240, columns: 5)
        model.leastSquaresProblem().jacobian(layout.freeVector(fit.parameters), &rebuilt)
        for (a, b) in zip(kept.storage, rebuilt.storage) { #expect(abs(a - b) <= 1e-10 * max(1, abs(b))) }
        // A copy of the fit without the Jacobian rebuilds it.
        let bare = FitResult(law: fit.law, parameters: fit.parameters, fixed: fit.fixed, objective: fit.objective,
                             objectiveValue: fit.objectiveValue, residuals: fit.residuals, runs: fit.runs, summary: fit.summary,
                             search: fit.search, flopsPerParamToken: fit.flopsPerParamToken, trainingRuns: fit.trainingRuns)
        let a = try fit.asymptoticUncertainty(), b = try bare.asymptoticUncertainty()
        for j in a.intervals.indices {
            #expect(relativeError(a.intervals[j].low, b.intervals[j].low) < 1e-10)
            #expect(relativeError(a.intervals[j].high, b.intervals[j].high) < 1e-10)
        }
    }

    @Test("Laws that declare a basis structure: columns match the basis, read only the declared parameters, no offset")
    func basisStructures() throws {
        var laws: [any ScalingLaw] = LawCatalog.names.compactMap { try? LawCatalog.law(named: $0) }
        laws += try ["E + A*N^-alpha + B*D^-beta", "A*N^-alpha*D^-beta + E*exp(-c/N)", "A*N^-alpha + N/D^beta"].map { try FormulaLaw($0) }
        var checked = 0
        for law in laws {
            guard let structure = law.basisStructure else { continue }
            checked += 1
            // Columns the Chinchilla runs lack (unique tokens, samples, task loss, …), made up.
            let runs = try chinchillaRuns().enumerated().map { i, run in
                var r = run
                for v in law.variables where !Variable.standard.contains(v) { r.values[v] = 1 + Double(i % 7) * (v == DataConstrainedLaw.uniqueTokens ? 1e10 : 0.3) }
                return r
            }
            let x = try law.trainingData(runs, flopsPerParamToken: 6, space: .linear).0
            let linear = law.parameters.indices.filter { law.parameters[$0].isLinear }
            #expect(structure.columnParameters.count == linear.count, "\(law.name)")
            let theta = law.parameters.indices.map { 0.3 + 0.1 * Double($0) }
            var basis = Matrix(rows: x.count, columns: linear.count)
            law.basis(theta, x, into: &basis)
            for k in linear.indices {
                var column = [Double](repeating: 0, count: x.count)
                law.basisColumn(k, theta, x, into: &column)
                #expect(column == basis.column(k), "\(law.name) column \(k)")
                // Changing a parameter the column does not declare leaves it alone.
                for j in law.parameters.indices where !structure.columnParameters[k].contains(j) {
                    var other = theta
                    other[j] *= 1.7
                    var moved = [Double](repeating: 0, count: x.count)
                    law.basisColumn(k, other, x, into: &moved)
                    #expect(moved == column, "\(law.name) column \(k) reads \(law.parameters[j].name)")
                }
            }
            if !structure.hasOffset {
                var zeroed = theta
                for j in linear { zeroed[j] = 0 }
                #expect(law.evaluate(zeroed, x).allSatisfy { $0 == 0 }, "\(law.name)")
            }
        }
        #expect(checked >= 3)
    }

    @Test("Formulas evaluated a column at a time give the per-point values and derivatives, bit for bit")
    func formulaColumns() throws {
        let runs = try chinchillaRuns()
        let texts = ["E + A*N^-alpha + B*D^-beta", "E - A/(N^alpha) + sqrt(B*D)^-beta", "exp(-k*log(N)) * a + max(c, N/D^g) - min(N, D, h)",
                     "(a*N + b)/(1 + D^-c)"]
        var laws: [any ScalingLaw] = try texts.map { try FormulaLaw($0) }
        laws.append(DataConstrainedLaw())
        for law in laws {
            let x = try law.trainingData(runs.map { var r = $0; r.values[DataConstrainedLaw.uniqueTokens] = 2e10; return r },
                                         flopsPerParamToken: 6, space: .linear).0
            let program: FormulaProgram = (law as? FormulaLaw)?.program ?? (law as! DataConstrainedLaw).definition.program
            let theta = law.parameters.indices.map { 0.25 + 0.2 * Double($0) }
            var f = [Double](repeating: 0, count: x.count)
            var jac = Matrix(rows: x.count, columns: theta.count)
            program.gradients(theta, x, values: &f, jacobian: &jac)
            var values = [Double]()
            program.values(theta, x, into: &values)
            var g = [Double](repeating: 0, count: theta.count)
            for i in 0..<x.count {
                let point = program.gradient(theta, { x.columns[$0][i] }, into: &g)
                #expect(point.bitPattern == f[i].bitPattern && point.bitPattern == values[i].bitPattern, "\(law.formula) at \(i)")
                for k in g.indices { #expect(g[k].bitPattern == jac[i, k].bitPattern, "\(law.formula) ∂/∂\(law.parameterNames[k]) at \(i)") }
            }
        }
    }

    @Test("Small symmetric systems: exact on a well-conditioned one, refused when ill-conditioned, indefinite or not finite")
    func smallSystems() {
        // M = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = (1, −2, 3).
        let m: [Double] = [4, 2, 0, 2, 5, 1, 0, 1, 3]
        let x = SmallSymmetricSystem.solve(m, [0, -5, 7])
        #expect(x != nil)
        for (a, b) in zip(x ?? [], [1.0, -2, 3]) { #expect(abs(a - b) < 1e-14) }
        // Hilbert matrix of order 8: κ₁ ≈ 3.4e10 > 1e10.
        let h: [Double] = (0..<64).map { (e: Int) -> Double in 1.0 / Double(e % 8 + e / 8 + 1) }
        #expect(SmallSymmetricSystem.solve(h, [Double](repeating: 1, count: 8)) == nil)
        #expect(SmallSymmetricSystem.solve(h, [Double](repeating: 1, count: 8), maxCondition: 1e12) != nil)
        #expect(SmallSymmetricSystem.solve([1, 2, 2, 1], [1, 1]) == nil)  // indefinite
        #expect(SmallSymmetricSystem.solve([1, .nan, .nan, 1], [1, 1]) == nil)
    }
}

/// A law that forwards to another but declares no basis structure (the start search then builds a basis
/// per grid point and evaluates the offset).
private struct Undeclared<L: ScalingLaw>: ScalingLaw {
    let law: L
    var name: String { law.name }
    var formula: String { law.formula }
    var parameters: [LawParameter] { law.parameters }
    var variables: [String] { law.variables }
    func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double]) { law.evaluate(theta, x, into: &f) }
    func jacobian(_ theta: [Double], _ x: Inputs, into jacobian: inout Matrix) { law.jacobian(theta, x, into: &jacobian) }
    func basis(_ theta: [Double], _ x: Inputs, into basis: inout Matrix) { law.basis(theta, x, into: &basis) }
    func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] { law.startGrid(x, response: y) }
    func derivedQuantities(_ theta: [Double]) -> [DerivedQuantity] { [] }
}

import Foundation
import ScalingLaws

/// JSON of a model with its serving cost: `params`, `tokens`, `tokens_per_param`, `training_flops`,
/// `inference_flops`, `total_flops`, `inference_tokens`, `loss`.
struct ServingRecord: Encodable {
    var params, tokens, tokensPerParam, trainingFlops, inferenceFlops, totalFlops, inferenceTokens, loss: Double

    init(plan: ServingPlan) {
        (params, tokens, tokensPerParam, loss) = (plan.params, plan.tokens, plan.tokensPerParam, plan.loss)
        (trainingFlops, inferenceFlops, totalFlops) = (plan.trainingFlops, plan.inferenceFlops, plan.totalFlops)
        inferenceTokens = plan.inferenceTokens
    }
}

/// `optimal --target-loss/--inference-tokens --format json`: the optimum's ``ServingRecord`` keys,
/// `chinchilla_optimal` (the same for the Chinchilla-optimal model reaching that loss), `saving_flops`
/// and `saving_fraction`.
struct InferenceAwareRecord: Encodable {
    var plan: InferenceAwarePlan

    private struct Comparison: Encodable {
        var chinchillaOptimal: ServingRecord
        var savingFlops: Double
        var savingFraction: Double
    }

    func encode(to encoder: any Encoder) throws {
        try ServingRecord(plan: plan.optimal).encode(to: encoder)
        try Comparison(chinchillaOptimal: ServingRecord(plan: plan.chinchillaOptimal), savingFlops: plan.savingFlops,
                       savingFraction: plan.savingFraction).encode(to: encoder)
    }
}

/// `optimal --tokens-per-param/--max-tokens --format json`: the plan's `flops`, `params`, `tokens`,
/// `tokens_per_param`, `loss`; `compute_optimal` (the unconstrained optimum of the same budget);
/// `binding` (whether the constraint changed the answer); `optimal_flops_for_same_loss`.
struct ConstrainedRecord: Encodable {
    var plan: ConstrainedPlan

    private struct Comparison: Encodable {
        var binding: Bool
        var computeOptimal: OptimumRecord
        @NullWhenAbsent var optimalFlopsForSameLoss: Double?
    }

    func encode(to encoder: any Encoder) throws {
        try OptimumRecord(plan.plan).encode(to: encoder)
        try Comparison(binding: plan.isBinding, computeOptimal: OptimumRecord(plan.computeOptimal),
                       optimalFlopsForSameLoss: plan.optimalFlopsForSameLoss).encode(to: encoder)
    }
}

extension Report {
    static func inferenceAware(_ r: FitResult, _ plans: [InferenceAwarePlan], goal: String, source: String?) -> String {
        var lines = [header(r, source: source), "parameters \(parameterLine(r))",
                     "plan       \(goal); training \(number(r.flopsPerParamToken))·N·D, inference 2·N·T (Sardana & Frankle 2023)", ""]
        var rows = [[String]]()
        for p in plans {
            for (name, s) in [("inference-aware", p.optimal), ("Chinchilla-optimal", p.chinchillaOptimal)] {
                rows.append([name, count(s.params), count(s.tokens), number(s.tokensPerParam), count(s.inferenceTokens),
                             flops(s.trainingFlops), flops(s.inferenceFlops), flops(s.totalFlops), String(format: "%.6f", s.loss)])
            }
        }
        lines.append(table(["model", "params N", "tokens D", "tokens/param", "served T", "training FLOPs", "inference FLOPs",
                            "total FLOPs", "loss"], rows))
        lines.append("")
        for p in plans {
            lines.append("saving     \(number(p.savingFlops)) FLOPs (\(String(format: "%.2f", 100 * p.savingFraction))%) against the "
                         + "Chinchilla-optimal model reaching loss \(String(format: "%.6f", p.optimal.loss)) and serving the same tokens")
        }
        return lines.joined(separator: "\n")
    }

    static func constrained(_ r: FitResult, _ plans: [ConstrainedPlan], constraint: String, source: String?) -> String {
        var lines = [header(r, source: source), "parameters \(parameterLine(r))",
                     "compute    C = \(number(r.flopsPerParamToken))·N·D; constraint: \(constraint)", ""]
        var rows = [[String]]()
        for p in plans {
            let same = p.optimalFlopsForSameLoss.map { number($0 / p.plan.flops) } ?? "-"
            rows.append(["constrained", flops(p.plan.flops), count(p.plan.params), count(p.plan.tokens),
                         number(p.plan.tokensPerParam), String(format: "%.6f", p.plan.loss), p.isBinding ? "yes" : "no", same])
            rows.append(["compute-optimal", flops(p.computeOptimal.flops), count(p.computeOptimal.params),
                         count(p.computeOptimal.tokens), number(p.computeOptimal.tokensPerParam),
                         String(format: "%.6f", p.computeOptimal.loss), "", ""])
        }
        lines.append(table(["plan", "flops C", "params N", "tokens D", "tokens/param", "loss", "binding", "efficiency"], rows))
        lines.append("")
        lines.append("efficiency = compute-optimal FLOPs reaching the constrained plan's loss / C")
        return lines.joined(separator: "\n")
    }
}

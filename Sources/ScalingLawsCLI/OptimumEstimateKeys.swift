import ScalingLaws

extension ComputeOptimumEstimates {
    /// The estimates under the keys of the command line's reports and JSON (`params`, `tokens`,
    /// `tokens_per_param`, `loss`), for the quantities the law defines.
    var keyed: [String: Estimate] {
        var out = [String: Estimate]()
        out["params"] = params
        out["tokens"] = tokens
        out["tokens_per_param"] = tokensPerParam
        out["loss"] = loss
        return out
    }
}

import ArgumentParser
import Foundation
import ScalingLaws

struct Flops: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flops",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Parameters and training FLOPs per token of a decoder-only transformer.",
        discussion: HelpText.discussion(
            "Counts weight matrices: attention 2·d² + 2·d·d_kv per layer (d = d_model, d_kv = kv-heads·d/heads: grouped-query attention shrinks K and V), MLP 2·d·d_ff per layer (3 with --gated, SwiGLU as in Llama), token embedding vocab·d, an lm_head as large unless --tied-embeddings, and n_ctx·d with --learned-positions. Biases and norm gains are omitted unless --biases and --norm rms|layer: they are under 0.1% of N and do no matrix multiplication. d_attn = d.",
            "FLOPs per training token: 6N, all parameters (Kaplan et al. 2020; Hoffmann et al. 2022); Kaplan, 6·N_ne + 6·n_layer·n_ctx·d_attn (Kaplan et al. 2020); M, 72·n_layer·d² + 12·n_layer·d·l_seq with no vocabulary (DeepSeek LLM 2024, eq. 2), computed as 6·W + 12·n_layer·d_attn·l_seq with W the block weights.",
            examples: [
                "scaling flops --layers 12 --d-model 768 --heads 12 --vocab 50257 --context 1024 --tied-embeddings --learned-positions",
                "scaling flops --layers 32 --d-model 4096 --heads 32 --vocab 32000 --context 4096 --ffn-dim 11008 --gated --norm rms --tokens 2T",
            ]
        )
    )

    @Option(help: "Transformer blocks n_layer.") var layers: Int
    @Option(help: "Residual width d_model.") var dModel: Int
    @Option(help: "Vocabulary size.") var vocab: Int
    @Option(help: "Context length n_ctx trained on.") var context: Int
    @Option(help: "MLP hidden width d_ff (default: 4·d_model).") var ffnDim: Int?
    @Option(help: "MLP hidden width as a multiple of d_model (d_ff = round(r·d_model)).") var ffnRatio: Double?
    @Flag(help: "Gated MLP with three matrices (SwiGLU, as in Llama).") var gated = false
    @Option(help: "Query heads (needed with --kv-heads).") var heads: Int?
    @Option(help: "Key/value heads, for grouped-query attention (default: --heads).") var kvHeads: Int?
    @Flag(help: "The lm_head shares the token-embedding matrix.") var tiedEmbeddings = false
    @Flag(help: "Learned position embeddings n_ctx × d_model (GPT-2); default none (RoPE, ALiBi).") var learnedPositions = false
    @Flag(help: "Count biases of every linear layer in the blocks (GPT-2).") var biases = false
    @Option(help: "Count normalisation parameters: none, rms (d_model per norm), layer (2·d_model).") var norm: String = "none"
    @Option(help: "Training tokens D: also print the training FLOPs (units allowed, e.g. 2T).") var tokens: String?

    @OptionGroup var formatting: OutputOptions

    func run() throws {
        try reportingErrors {
            guard let normalization = TransformerShape.Normalization(rawValue: norm) else {
                throw CLIError(message: "--norm: expected none, rms or layer, got \"\(norm)\"")
            }
            if ffnDim != nil && ffnRatio != nil { throw CLIError(message: "give --ffn-dim or --ffn-ratio, not both") }
            let limit = TransformerShape.maxDimension
            guard dModel >= 1, dModel <= limit else {
                throw CLIError(message: "--d-model: expected a positive whole number of at most \(limit), got \(dModel)")
            }
            let ffn: Int
            if let ffnRatio {
                let width = (ffnRatio * Double(dModel)).rounded()
                guard ffnRatio > 0, ffnRatio.isFinite, width >= 1, width <= Double(limit) else {
                    throw CLIError(message: "--ffn-ratio: expected a positive multiple of d_model such as 4 or 2.6667 giving a width from 1 to \(limit), got \(ffnRatio)")
                }
                ffn = Int(width)
            } else {
                ffn = ffnDim ?? 4 * dModel
            }
            let d = try tokens.map { try quantity($0, flag: "--tokens") }
            let shape = try TransformerShape(layers: layers, dModel: dModel, vocab: vocab, context: context, ffnDim: ffn,
                                             gated: gated, heads: heads, kvHeads: kvHeads, tiedEmbeddings: tiedEmbeddings,
                                             learnedPositions: learnedPositions, biases: biases, normalization: normalization)
            let accounting = ModelAccounting(shape)
            if let d, !(accounting.trainingFlops(tokens: d).kaplan.isFinite && accounting.trainingFlops(tokens: d).sixN.isFinite) {
                throw CLIError(message: "--tokens: \(d) tokens give training FLOPs beyond double precision; check the value")
            }
            switch formatting.format {
            case .json: try printJSON(FlopsReport(accounting, tokens: d))
            case .text: output(Report.flops(accounting, tokens: d))
            }
        }
    }
}

/// `scaling flops --format json`: `params`, `non_embedding_params`, `embedding_params`,
/// `flops_per_token` (6N), `flops_per_token_kaplan`, `non_embedding_flops_per_token` (M), `breakdown`,
/// `shape`; with --tokens also `tokens`, `training_flops` (6N·D), `training_flops_kaplan` and
/// `non_embedding_training_flops` (M·D).
struct FlopsReport: Encodable {
    var params, nonEmbeddingParams, embeddingParams: Double
    var flopsPerToken, flopsPerTokenKaplan, nonEmbeddingFlopsPerToken: Double
    var breakdown: [String: Double]
    var shape: TransformerShape
    var tokens, trainingFlops, trainingFlopsKaplan, nonEmbeddingTrainingFlops: Double?

    init(_ a: ModelAccounting, tokens: Double?) {
        params = a.params
        nonEmbeddingParams = a.nonEmbeddingParams
        embeddingParams = a.embeddingParams
        flopsPerToken = a.flopsPerToken
        flopsPerTokenKaplan = a.flopsPerTokenKaplan
        nonEmbeddingFlopsPerToken = a.nonEmbeddingFlopsPerToken
        breakdown = ["token_embedding": a.tokenEmbeddingParams, "position_embedding": a.positionEmbeddingParams,
                     "lm_head": a.outputParams, "attention": a.attentionParams, "mlp": a.mlpParams,
                     "biases": a.biasParams, "norms": a.normParams]
        shape = a.shape
        self.tokens = tokens
        if let tokens {
            let t = a.trainingFlops(tokens: tokens)
            (trainingFlops, trainingFlopsKaplan, nonEmbeddingTrainingFlops) = (t.sixN, t.kaplan, t.nonEmbedding)
        }
    }
}

extension Report {
    static func flops(_ a: ModelAccounting, tokens: Double?) -> String {
        let s = a.shape
        func count(_ v: Double) -> String { String(format: "%.0f", v) }
        let mlp = s.gated ? "gated, 3 matrices" : "2 matrices"
        var lines = [
            "shape      \(s.layers) layers, d_model \(s.dModel), \(s.heads) heads (\(s.kvHeads) key/value), d_ff \(s.ffnDim) (\(mlp)), "
                + "vocab \(s.vocab), context \(s.context)",
            "counted    \(s.tiedEmbeddings ? "tied" : "untied") lm_head, \(s.learnedPositions ? "learned" : "no") position embeddings, "
                + "\(s.biases ? "biases" : "no biases"), norms: \(s.normalization.rawValue)",
            "",
        ]
        lines.append(table(["parameters", "count"], [
            ["token embedding", count(a.tokenEmbeddingParams)],
            ["position embedding", count(a.positionEmbeddingParams)],
            ["lm_head", count(a.outputParams)],
            ["attention", count(a.attentionParams)],
            ["MLP", count(a.mlpParams)],
            ["biases", count(a.biasParams)],
            ["norms", count(a.normParams)],
            ["total N", count(a.params)],
            ["non-embedding N_ne", count(a.nonEmbeddingParams)],
        ]))
        lines.append("")
        var rows = [
            ["6N", number(a.flopsPerToken), "6·N (Kaplan et al. 2020; Hoffmann et al. 2022)"],
            ["Kaplan", number(a.flopsPerTokenKaplan), "6·N_ne + 6·n_layer·n_ctx·d_attn (Kaplan et al. 2020, Table 1)"],
            ["M (DeepSeek)", number(a.nonEmbeddingFlopsPerToken), "6·W + 12·n_layer·d_attn·l_seq, no vocabulary (DeepSeek LLM 2024, eq. 2)"],
        ]
        var header = ["FLOPs/token", "value", "formula"]
        if let tokens {
            let t = a.trainingFlops(tokens: tokens)
            header.insert("training, D = \(number(tokens))", at: 2)
            for (i, v) in [t.sixN, t.kaplan, t.nonEmbedding].enumerated() { rows[i].insert(number(v), at: 2) }
        }
        lines.append(table(header, rows))
        return lines.joined(separator: "\n")
    }
}

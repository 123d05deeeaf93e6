/// The shape of a decoder-only transformer, for counting its parameters and training FLOPs.
///
/// Attention has `heads` query heads of size d_head = d_model/heads (so d_attn = d_model) and `kvHeads`
/// key/value heads (grouped-query attention, Ainslie et al. 2023; multi-head when equal, multi-query
/// when 1), which shrink the K and V projections to d_model × kvHeads·d_head. The MLP has two matrices
/// (d_model × d_ff, d_ff × d_model) or, gated (SwiGLU, Shazeer 2020; Llama), three. Biases and
/// normalisation gains are counted only when asked for (``biases``, ``normalization``): they are
/// under 0.1% of N and do no matrix multiplication.
public struct TransformerShape: Sendable, Hashable, Encodable {
    /// Normalisation layers: two per block plus a final one.
    public enum Normalization: String, Sendable, Hashable, Encodable, CaseIterable {
        /// Not counted.
        case none
        /// RMSNorm (Llama): a gain of d_model per norm.
        case rms
        /// LayerNorm (GPT-2): a gain and a bias, 2·d_model per norm.
        case layer
    }

    /// Transformer blocks n_layer.
    public var layers: Int
    /// Residual width d_model.
    public var dModel: Int
    /// Vocabulary size n_vocab.
    public var vocab: Int
    /// Context length n_ctx (the sequence length trained on).
    public var context: Int
    /// MLP hidden width d_ff.
    public var ffnDim: Int
    /// Whether the MLP is gated (three matrices).
    public var gated: Bool
    /// Query heads.
    public var heads: Int
    /// Key/value heads.
    public var kvHeads: Int
    /// Whether the output projection (lm_head) shares the token-embedding matrix.
    public var tiedEmbeddings: Bool
    /// Whether positions have a learned n_ctx × d_model embedding (GPT-2) rather than none (RoPE, ALiBi).
    public var learnedPositions: Bool
    /// Whether every linear layer of the blocks has a bias (GPT-2).
    public var biases: Bool
    /// Which normalisation gains to count.
    public var normalization: Normalization

    /// A validated shape. `heads` defaults to one head (d_head = d_model; the count does not depend on
    /// the number of heads unless key/value heads differ); `kvHeads` defaults to `heads`.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming the flag whose value does not fit.
    /// Largest accepted dimension or count (10⁹): products of two stay far inside `Int` and `Double`.
    public static let maxDimension = 1_000_000_000

    public init(layers: Int, dModel: Int, vocab: Int, context: Int, ffnDim: Int, gated: Bool = false,
                heads: Int? = nil, kvHeads: Int? = nil, tiedEmbeddings: Bool = false, learnedPositions: Bool = false,
                biases: Bool = false, normalization: Normalization = .none) throws(ScalingLawsError) {
        for (setting, value) in [(Setting.layers, layers), (Setting.dModel, dModel), (Setting.vocab, vocab), (Setting.context, context),
                              (Setting.ffnDim, ffnDim), (Setting.heads, heads ?? 1), (Setting.kvHeads, kvHeads ?? 1)]
        where value < 1 || value > Self.maxDimension {
            throw .invalidOption(option: setting, message: "expected a positive whole number of at most \(Self.maxDimension), got \(value)")
        }
        let h = heads ?? 1
        guard h >= 1, dModel % h == 0 else {
            throw .invalidOption(option: .heads, message: "expected a positive divisor of d_model = \(dModel), got \(h)")
        }
        let g = kvHeads ?? h
        if kvHeads != nil && heads == nil {
            throw .invalidOption(option: .kvHeads, message: "give \(.heads) too: key/value heads are a share of the query heads")
        }
        guard g >= 1, h % g == 0 else {
            throw .invalidOption(option: .kvHeads, message: "expected a positive divisor of the \(h) query heads, got \(g)")
        }
        self.layers = layers
        self.dModel = dModel
        self.vocab = vocab
        self.context = context
        self.ffnDim = ffnDim
        self.gated = gated
        self.heads = h
        self.kvHeads = g
        self.tiedEmbeddings = tiedEmbeddings
        self.learnedPositions = learnedPositions
        self.biases = biases
        self.normalization = normalization
    }
}

/// Parameters and training FLOPs of a ``TransformerShape``, by the conventions scaling-law papers use.
///
/// Parameters (weights only unless biases and norms are asked for):
/// - attention per block: W_Q, W_O (d_model²) and W_K, W_V (d_model × d_kv, d_kv = kvHeads·d_head):
///   2·d_model² + 2·d_model·d_kv;
/// - MLP per block: 2·d_model·d_ff, or 3·d_model·d_ff gated;
/// - embeddings: n_vocab·d_model for tokens, n_ctx·d_model for learned positions, and n_vocab·d_model
///   for an untied lm_head.
///
/// FLOPs per training token (forward + backward = 3 × forward, each multiply-add 2 FLOPs):
/// - **6N** (Kaplan et al. 2020; Hoffmann et al. 2022, C ≈ 6ND) with N all parameters, embeddings included;
/// - **Kaplan** (Kaplan et al. 2020, arXiv:2001.08361, Table 1 and §2.1):
///   C_forward = 2N + 2·n_layer·n_ctx·d_attn with N the non-embedding parameters, so 6·N_ne +
///   6·n_layer·n_ctx·d_attn per training token; the attention term is the QKᵀ logits;
/// - **M** (DeepSeek LLM 2024, arXiv:2401.02954, eq. 2): M = 72·n_layer·d_model² + 12·n_layer·d_model·l_seq,
///   where 72·n_layer·d_model² is 6× the non-embedding weights of a standard block (12·d_model²) and
///   12·n_layer·d_model·l_seq is the QKᵀ and attention-times-V products. For other shapes (GQA, gated
///   MLP, d_ff ≠ 4·d_model) this is computed as M = 6·W + 12·n_layer·d_attn·l_seq with W the
///   non-embedding weight matrices, which is eq. 2 exactly for the standard shape. M excludes the
///   vocabulary (embedding and lm_head), and training compute is C = M·D.
///
/// Neither attention term halves for causal masking, as in both papers.
public struct ModelAccounting: Sendable, Hashable {
    /// The shape counted.
    public let shape: TransformerShape

    /// The accounting of a transformer of this shape.
    public init(_ shape: TransformerShape) { self.shape = shape }

    private var d: Double { Double(shape.dModel) }
    private var layers: Double { Double(shape.layers) }
    private var kvDim: Double { Double(shape.kvHeads * (shape.dModel / shape.heads)) }
    private var ffn: Double { Double(shape.ffnDim) }

    /// Token-embedding parameters n_vocab·d_model.
    public var tokenEmbeddingParams: Double { Double(shape.vocab) * d }
    /// Learned position-embedding parameters n_ctx·d_model (0 without learned positions).
    public var positionEmbeddingParams: Double { shape.learnedPositions ? Double(shape.context) * d : 0 }
    /// Untied lm_head parameters n_vocab·d_model (0 when tied).
    public var outputParams: Double { shape.tiedEmbeddings ? 0 : Double(shape.vocab) * d }
    /// Attention weights of all blocks: n_layer·(2·d_model² + 2·d_model·d_kv).
    public var attentionParams: Double { layers * (2 * d * d + 2 * d * kvDim) }
    /// MLP weights of all blocks: n_layer·2·d_model·d_ff, or 3· gated.
    public var mlpParams: Double { layers * (shape.gated ? 3 : 2) * d * ffn }
    /// Biases of all blocks' linear layers (Q, K, V, O and the MLP's), 0 unless counted.
    public var biasParams: Double {
        guard shape.biases else { return 0 }
        let attention = 2 * d + 2 * kvDim
        let mlp = shape.gated ? 2 * ffn + d : ffn + d
        return layers * (attention + mlp)
    }
    /// Normalisation gains (and LayerNorm biases): 2 per block and a final one, 0 unless counted.
    public var normParams: Double {
        let perNorm: Double
        switch shape.normalization {
        case .none: perNorm = 0
        case .rms: perNorm = d
        case .layer: perNorm = 2 * d
        }
        return (2 * layers + 1) * perNorm
    }

    /// All parameters N.
    public var params: Double { embeddingParams + nonEmbeddingParams }
    /// Token and position embeddings and an untied lm_head.
    public var embeddingParams: Double { tokenEmbeddingParams + positionEmbeddingParams + outputParams }
    /// N without embeddings and lm_head (Kaplan et al.'s N): blocks' weights, biases and norms.
    public var nonEmbeddingParams: Double { attentionParams + mlpParams + biasParams + normParams }
    /// Non-embedding weight matrices W (what DeepSeek's M counts).
    public var nonEmbeddingWeights: Double { attentionParams + mlpParams }

    /// Training FLOPs per token by C ≈ 6N.
    public var flopsPerToken: Double { 6 * params }
    /// Training FLOPs per token by Kaplan et al.: 6·N_ne + 6·n_layer·n_ctx·d_attn.
    public var flopsPerTokenKaplan: Double { 6 * nonEmbeddingParams + 6 * layers * Double(shape.context) * d }
    /// DeepSeek LLM's non-embedding FLOPs per token M = 6·W + 12·n_layer·d_attn·l_seq.
    public var nonEmbeddingFlopsPerToken: Double { 6 * nonEmbeddingWeights + 12 * layers * d * Double(shape.context) }

    /// Training FLOPs for `tokens` tokens by each convention: 6N·D, Kaplan, M·D.
    public func trainingFlops(tokens: Double) -> (sixN: Double, kaplan: Double, nonEmbedding: Double) {
        (flopsPerToken * tokens, flopsPerTokenKaplan * tokens, nonEmbeddingFlopsPerToken * tokens)
    }
}

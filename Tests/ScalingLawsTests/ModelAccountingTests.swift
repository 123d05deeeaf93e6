import Testing
@testable import ScalingLaws

@Suite("Parameter and FLOP accounting")
struct ModelAccountingTests {
    /// GPT-2 small (Radford et al. 2019; HF `gpt2`): 12 layers, d_model 768, 12 heads, vocab 50257,
    /// context 1024, d_ff 3072, tied lm_head, learned positions.
    ///
    /// Weights only:
    ///   token embedding 50257·768            = 38,597,376
    ///   position embedding 1024·768          =    786,432
    ///   attention per block 4·768²           =  2,359,296
    ///   MLP per block 2·768·3072             =  4,718,592
    ///   12 blocks · 7,077,888                = 84,934,656   (non-embedding N)
    ///   total                                = 124,318,464
    /// With biases and LayerNorms (GPT-2 has both):
    ///   biases per block: Q,K,V,O 4·768 + MLP 3072 + 768 = 6,912
    ///   LayerNorms per block 2·(768 + 768)   =  3,072
    ///   12 blocks · 9,984 = 119,808; final LayerNorm 1,536
    ///   total 124,318,464 + 119,808 + 1,536  = 124,439,808 (the count PyTorch reports for `gpt2`)
    ///   non-embedding 84,934,656 + 121,344   = 85,056,000
    /// FLOPs per training token:
    ///   6N     = 6 · 124,439,808                                   = 746,638,848
    ///   Kaplan = 6 · 85,056,000 + 6·12·1024·768 = 510,336,000 + 56,623,104 = 566,959,104
    ///   M      = 72·12·768² + 12·12·768·1024 = 509,607,936 + 113,246,208   = 622,854,144
    @Test("GPT-2 small: 124,318,464 weights, 124,439,808 with biases and LayerNorms")
    func gpt2Small() throws {
        let weights = ModelAccounting(try TransformerShape(layers: 12, dModel: 768, vocab: 50257, context: 1024, ffnDim: 3072,
                                                           heads: 12, tiedEmbeddings: true, learnedPositions: true))
        #expect(weights.params == 124_318_464)
        #expect(weights.nonEmbeddingParams == 84_934_656)
        #expect(weights.embeddingParams == 38_597_376 + 786_432)

        let full = ModelAccounting(try TransformerShape(layers: 12, dModel: 768, vocab: 50257, context: 1024, ffnDim: 3072,
                                                        heads: 12, tiedEmbeddings: true, learnedPositions: true,
                                                        biases: true, normalization: .layer))
        #expect(full.params == 124_439_808)
        #expect(full.nonEmbeddingParams == 85_056_000)
        #expect(full.flopsPerToken == 746_638_848)
        #expect(full.flopsPerTokenKaplan == 566_959_104)
        #expect(full.nonEmbeddingFlopsPerToken == 622_854_144)
        // DeepSeek LLM eq. 2 literally, for this standard shape (d_ff = 4·d_model, full attention).
        let deepSeek: Double = 72 * 12 * 768 * 768 + 12 * 12 * 768 * 1024
        #expect(full.nonEmbeddingFlopsPerToken == deepSeek)
        let t = full.trainingFlops(tokens: 1e9)
        #expect(t.sixN == 746_638_848e9)
        #expect(t.kaplan == 566_959_104e9)
        #expect(t.nonEmbedding == 622_854_144e9)
    }

    /// Llama-2-7B (Touvron et al. 2023; HF `Llama-2-7b-hf`): 32 layers, d_model 4096, 32 heads (no GQA),
    /// vocab 32000, context 4096, gated MLP d_ff 11008, untied lm_head, RoPE, RMSNorm, no biases.
    ///
    ///   token embedding 32000·4096            =   131,072,000
    ///   lm_head 32000·4096                    =   131,072,000
    ///   attention per block 4·4096²           =    67,108,864
    ///   MLP per block 3·4096·11008            =   135,266,304
    ///   32 blocks · 202,375,168               = 6,476,005,376   (weights W)
    ///   RMSNorms 32·2·4096 + 4096             =       266,240
    ///   total                                 = 6,738,415,616  (the count PyTorch reports)
    ///   M = 6·6,476,005,376 + 12·32·4096·4096 = 38,856,032,256 + 6,442,450,944 = 45,298,483,200
    @Test("Llama-2-7B: 6,738,415,616 parameters with RMSNorm, 6,738,149,376 weights")
    func llama2_7B() throws {
        let shape = try TransformerShape(layers: 32, dModel: 4096, vocab: 32000, context: 4096, ffnDim: 11008, gated: true,
                                         heads: 32, normalization: .rms)
        let a = ModelAccounting(shape)
        #expect(a.params == 6_738_415_616)
        #expect(a.nonEmbeddingWeights == 6_476_005_376)
        #expect(a.nonEmbeddingParams == 6_476_005_376 + 266_240)
        #expect(a.embeddingParams == 262_144_000)
        #expect(a.nonEmbeddingFlopsPerToken == 45_298_483_200)
        #expect(a.flopsPerToken == 6 * 6_738_415_616)
        let kaplan: Double = 6 * 6_476_271_616 + 6 * 32 * 4096 * 4096
        #expect(a.flopsPerTokenKaplan == kaplan)
        var weightsOnly = shape
        weightsOnly.normalization = .none
        #expect(ModelAccounting(weightsOnly).params == 6_738_149_376)
    }

    /// Llama-2-70B: 80 layers, d_model 8192, 64 query heads and 8 key/value heads (d_head 128, d_kv 1024),
    /// d_ff 28672 gated, vocab 32000, untied, RMSNorm.
    ///   attention per block 2·8192² + 2·8192·1024 = 134,217,728 + 16,777,216 = 150,994,944
    ///   MLP per block 3·8192·28672                 = 704,643,072
    ///   80 blocks · 855,638,016                    = 68,451,041,280
    ///   RMSNorms 80·2·8192 + 8192                  = 1,318,912
    ///   embeddings 2·32000·8192                    = 524,288,000
    ///   total                                      = 68,976,648,192
    @Test("Grouped-query attention shrinks K and V: Llama-2-70B has 68,976,648,192 parameters")
    func llama2_70B() throws {
        let a = ModelAccounting(try TransformerShape(layers: 80, dModel: 8192, vocab: 32000, context: 4096, ffnDim: 28672,
                                                     gated: true, heads: 64, kvHeads: 8, normalization: .rms))
        #expect(a.attentionParams == 80 * 150_994_944)
        #expect(a.params == 68_976_648_192)
    }

    @Test("Shapes that cannot exist name the setting")
    func invalid() {
        func flag(_ make: () throws(ScalingLawsError) -> TransformerShape) -> Setting? {
            do {
                _ = try make()
                return nil
            } catch {
                guard case let .invalidOption(option, _) = error else { Issue.record("wrong error \(error)"); return nil }
                return option
            }
        }
        #expect(flag { () throws(ScalingLawsError) in try TransformerShape(layers: 2, dModel: 100, vocab: 10, context: 8, ffnDim: 400, heads: 3) } == .heads)
        #expect(flag { () throws(ScalingLawsError) in try TransformerShape(layers: 2, dModel: 96, vocab: 10, context: 8, ffnDim: 400, heads: 12, kvHeads: 5) } == .kvHeads)
        #expect(flag { () throws(ScalingLawsError) in try TransformerShape(layers: 2, dModel: 96, vocab: 10, context: 8, ffnDim: 400, kvHeads: 2) } == .kvHeads)
        #expect(flag { () throws(ScalingLawsError) in try TransformerShape(layers: 0, dModel: 96, vocab: 10, context: 8, ffnDim: 400) } == .layers)
    }
}

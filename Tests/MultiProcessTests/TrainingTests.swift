import Testing

/// Fast (Float) reduction: the same config trains the same way on 1, 2 and 3 ranks up to Float
/// rounding, and repeats bit for bit at a fixed world size.
@Suite(.serialized) struct TrainingTests {
    @Test func lossAgreesAcrossWorldSizesInFastMode() throws {
        var losses: [Int: Double] = [:]
        for ranks in [1, 2, 3] {
            let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: ranks, ["distributed.reduction=fast"])
            #expect(run.result.status == 0, "\(run.result.combined)")
            let loss: Double = try #require(run.finalLoss, "\(run.result.combined)")
            losses[ranks] = loss
        }
        let reference = try #require(losses[1])
        for (ranks, loss) in losses {
            #expect(abs(loss - reference) <= 1e-4 * abs(reference), "\(ranks) ranks: loss \(loss) vs 1 rank \(reference)")
        }
    }

    @Test func aRepeatedRunGivesTheSameBits() throws {
        let first = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 2, ["distributed.reduction=fast"])
        let second = try TrainingRun.launch("configs/fashion-cnn.yaml", ranks: 2, ["distributed.reduction=fast"])
        #expect(first.result.status == 0, "\(first.result.combined)")
        #expect(first.parameterHash != nil)
        #expect(first.parameterHash == second.parameterHash)
        #expect(first.finalLoss == second.finalLoss)
    }

    @Test(arguments: ["thread", "nonblocking", "none"])
    func everyOverlapModeGivesTheSameResult(overlap: String) throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2,
                                         ["distributed.reduction=fast", "distributed.overlap=\(overlap)", "distributed.bucket_mb=0.25"])
        let reference = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2,
                                               ["distributed.reduction=fast", "distributed.overlap=none", "distributed.bucket_mb=0.25"])
        #expect(run.result.status == 0, "\(run.result.combined)")
        #expect(run.parameterHash == reference.parameterHash)
    }

    @Test func csvBinaryRunTrains() throws {
        let run = try TrainingRun.launch("configs/csv-binary.yaml", ranks: 2, ["training.epochs=5"])
        #expect(run.result.status == 0, "\(run.result.combined)")
        let accuracy = try #require(run.testAccuracy, "\(run.result.combined)")
        #expect(accuracy > 0.7)
    }

    @Test func aModelThatDoesNotFitTheDataIsRefused() throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["model.layers[3].dense.units=7"])
        #expect(run.result.status != 0)
        #expect(run.result.error.contains("7 outputs but the data has 10 classes"), "\(run.result.combined)")
    }
}

/// Exact reduction: the final parameters are bit-identical for any number of ranks.
@Suite(.serialized) struct ExactReductionTests {
    /// The MLP, the CNN with dropout, the Transformer and the LSTM in Int32 sums (4 leaves a step), and the
    /// MLP in Int64 sums (16 leaves a step keep Float's 24 bits only in Int64).
    @Test(arguments: [("configs/fashion-mlp.yaml", "Int32", []), ("configs/fashion-cnn.yaml", "Int32", []),
                      ("configs/fashion-transformer.yaml", "Int32", []), ("configs/fashion-lstm.yaml", "Int32", []),
                      ("configs/fashion-mlp.yaml", "Int64", ["training.micro_batch=16"])])
    func sameBitsOnOneToFourRanks(config: String, width: String, overrides: [String]) throws {
        let settings = ["distributed.reduction=exact", "data.limit_train=640"] + overrides
        var hashes: [Int: String] = [:]
        for ranks in [1, 2, 3, 4] {
            let run = try TrainingRun.launch(config, ranks: ranks, settings)
            #expect(run.result.status == 0, "\(run.result.combined)")
            #expect(run.result.output.contains("exact reduction (\(width) sums"), "\(run.result.combined)")
            let hash: String = try #require(run.parameterHash, "\(run.result.combined)")
            hashes[ranks] = hash
        }
        let again = try TrainingRun.launch(config, ranks: 3, settings)
        #expect(Set(hashes.values).count == 1, "\(hashes)")
        #expect(again.parameterHash == hashes[1])
    }

    /// launch/mpirun gives 1 rank 2 BLAS threads and 2 ranks 1 each; OpenBLAS's bits differ with
    /// the thread count, so exact mode runs one thread per rank whatever the environment says.
    @Test func theBitsDoNotDependOnTheBLASThreadsTheLauncherGives() throws {
        let settings = ["distributed.reduction=exact", "data.limit_train=640"]
        let one = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 1, settings, blasThreads: 2)
        let two = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, settings, blasThreads: nil)
        #expect(one.result.status == 0, "\(one.result.combined)")
        #expect(one.parameterHash != nil)
        #expect(one.parameterHash == two.parameterHash)
    }
}

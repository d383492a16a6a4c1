// GENERATED from the ```swift blocks of the doc comments under Sources/ (library modules):
// do not edit. Regenerate with SHOAL_WRITE_EXAMPLES=1 swift test --filter DocumentationExampleTests
// Each example is a function that is never called: compiling this file is the check.

@testable import Coordinator
@testable import Shoal
@testable import ShoalComm
@testable import ShoalConfig
@testable import ShoalData
@testable import ShoalFormats
@testable import ShoalMetrics
@testable import ShoalNN
@testable import ShoalOptim
@testable import ShoalServe
@testable import ShoalTensor
import Foundation

// Sources/Coordinator/BatchPlan.swift
func example_Coordinator_BatchPlan_1() throws {
    let plan = try BatchPlan(sampleCount: 1000, globalBatch: 256, microBatch: 64, seed: 42)
    plan.stepsPerEpoch                                  // 4 (256, 256, 256, 232)
    let order = plan.permutation(epoch: 0)              // 1000 sample indices
    for k in plan.leaves(step: 3, rank: 1, worldSize: 2) {
        let positions = plan.leaf(step: 3, leaf: k)     // 832..<896, then 960..<1000
        let samples = order[positions]
    }
}

// Sources/Coordinator/CheckpointError.swift
func example_Coordinator_CheckpointError_1() throws {
    do { _ = try CheckpointStore.load(path: URL(fileURLWithPath: "/runs/a/checkpoints/step-00000040")) }
    catch let error as CheckpointError { print(error) }
    // /runs/a/checkpoints/step-00000040/model.safetensors: SHA-256 mismatch, the file was
    // changed or corrupted after writing
}

// Sources/Coordinator/CheckpointState.swift
func example_Coordinator_CheckpointState_1() throws {
    let config = try RunConfig.load(path: "configs/fashion-mlp.yaml"), yamlText = config.resolvedYAML()
    let parameters: [Float] = [0.5, -1, 2]   // the arena
    let state = CheckpointState(
        position: TrainingPosition(step: 40, epoch: 0, stepInEpoch: 40), optimizerStep: 40,
        rng: ["seed": 42], config: yamlText, configHash: config.canonicalHash, worldSize: 2, reduction: "exact",
        versions: .init(shoal: "0.1.0", mpi: "Open MPI 4.1.4", blas: "OpenBLAS 0.3.21"),
        parameterHash: parameters.withUnsafeBytes { sha256Hex(of: $0) })
}

// Sources/Coordinator/CheckpointStore.swift
func example_Coordinator_CheckpointStore_1() throws {
    let runDirectory = URL(fileURLWithPath: "runs/fashion-mlp/version_0")
    let store = CheckpointStore(root: runDirectory.appendingPathComponent("checkpoints"), keepLast: 3)
    let modelTensors = [SafeTensor(name: "layers.0.weight", shape: [128, 784], values: [Float](repeating: 0, count: 784 * 128))]
    let state = CheckpointState(position: TrainingPosition(step: 40), optimizerStep: 40, rng: ["seed": 42], config: "",
                                configHash: "", worldSize: 1, reduction: "fast",
                                versions: .init(shoal: "0.1.0", mpi: "", blas: ""), parameterHash: "")
    try store.write(model: modelTensors, optimizer: [], state: state)

    // shoal train --resume auto
    let found = try CheckpointStore.newest(in: store.root)
    for refusal in found.refused { print("warning: skipped \(refusal)") }
    let weight = try found.checkpoint.model.requireTensor(named: "layers.0.weight", dtype: .f32, count: 784 * 128)
}

// Sources/Coordinator/CheckpointStore.swift
func example_Coordinator_CheckpointStore_2() throws {
    let checkpoint = try CheckpointStore.load(path: URL(fileURLWithPath: "runs/a/checkpoints/step-00000040"))
    print(checkpoint.state.step)
}

// Sources/Coordinator/Inspect.swift
func example_Coordinator_Inspect_1() throws {
    print(inspectReport(path: URL(fileURLWithPath: "runs/a/checkpoints/step-00000040")))
    // checkpoint runs/a/checkpoints/step-00000040
    // verification: OK
    // ...
}

// Sources/Coordinator/RunCheckpoints.swift
func example_Coordinator_RunCheckpoints_1() throws {
    let world = try World.start()
    let arena = ParameterArena(executionOrder: [("layers.0.weight", [10, 784]), ("layers.0.bias", [10])])
    let buffers = arena.entries.map { (name: $0.name, values: arena.parameters(of: $0)) }
    let checkpoints = RunCheckpoints(world: world, directory: "runs/x/checkpoints", keepLast: 3)
    var position = TrainingPosition()
    if let state = try checkpoints.restore(.auto, parameters: arena.parameters, model: buffers, optimizer: [], accept: { _ in }) {
        position = state.position
    }
    // … train; then at a checkpoint step:
    let tensors = arena.entries.map { SafeTensor(name: $0.name, shape: $0.shape, elements: UnsafeBufferPointer(arena.parameters(of: $0))) }
    let state = CheckpointState(position: position, optimizerStep: position.step, rng: ["seed": 42], config: "", configHash: "",
                                worldSize: world.size, reduction: "fast", versions: .init(shoal: "0.1.0", mpi: "", blas: ""), parameterHash: "")
    try checkpoints.write(parameters: arena.parameters, model: tensors, optimizer: [], state: state)   // parameterHash set here
}

// Sources/Coordinator/RunDirectory.swift
func example_Coordinator_RunDirectory_1() throws {
    let run = RunDirectory.next(in: "runs/fashion-mlp")     // runs/fashion-mlp/version_3 after 0, 1, 2
    try run.create(fresh: true)
    RunDirectory.newest(in: "runs/fashion-mlp")?.version    // 3
}

// Sources/Coordinator/TrainingPosition.swift
func example_Coordinator_TrainingPosition_1() throws {
    let plan = try BatchPlan(sampleCount: 1000, globalBatch: 256, microBatch: 64, seed: 42)   // 4 steps an epoch
    var position = TrainingPosition()
    position.advance(in: plan)   // step 1; (epoch 0, step 1), ... then (epoch 1, step 0)
}

// Sources/Shoal/EvaluationReport.swift
func example_Shoal_EvaluationReport_1() throws {
    let report = EvaluationReport(lossSum: 42.0, sampleCount: 100, confusion: [[45, 5], [3, 47]])
    report.accuracy      // 0.92
    report.recall(of: 1) // 0.94
    report.line          // "loss 0.4200  accuracy 0.9200"
}

// Sources/Shoal/Evaluator.swift
func example_Shoal_Evaluator_1() throws {
    let world = try World.start()
    let model = try Model(inputShape: [2], layers: [.dense(units: 2, activation: nil)],
                          loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
    let evaluator = Evaluator(model: model, world: world, microBatch: 64, classCount: 2,
                              buffers: BatchBuffers(microBatch: 64, featureCount: 2, targetWidth: 1))
    let test = try Dataset(featureShape: [2], features: [1, 2, 3, 4], targets: [0, 1], classCount: 2)
    let report = try evaluator.evaluate(test)
    print(report.accuracy)
}

// Sources/Shoal/FixedPoint.swift
func example_Shoal_FixedPoint_1() throws {
    var sum = FixedPointSum()
    sum.add(0.1); sum.add(0.2)
    sum.value   // 0.30000000004656613 (0.3 to within 2^-32 per term)
}

// Sources/Shoal/InitialTensors.swift
func example_Shoal_InitialTensors_1() throws {
    let model = try Model(inputShape: [28, 28, 1],   // fashion-cnn's layers, a new head for 3 classes
                          layers: [.conv2D(filters: 8, kernel: 3, stride: 1, padding: .valid, activation: .relu),
                                   .maxPool2D(size: 2, stride: nil), .flatten, .dense(units: 3, activation: nil)],
                          loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
    let report = try InitialTensors.load(into: model, from: "runs/fashion-cnn", skip: ["layers.3.*"])
    // "model.init_from runs/fashion-cnn/version_0/checkpoints/step-00004220: loaded 2 tensors (layers.0.weight, layers.0.bias); new: layers.3.weight, layers.3.bias"
}

// Sources/Shoal/Predictions.swift
func example_Shoal_Predictions_1() throws {
    Predictions.label(of: [0.1, 0.7, 0.2], scale: .probabilities)   // 1
    Predictions.label(of: [-0.3], scale: .logits)                    // 0
    let logits: [Float] = [0.1, 2.0, -1.0, 0.5, 0.3, 0.2]              // 2 samples of 3 classes
    logits.withUnsafeBufferPointer { output in
        let predictions = Predictions(output: output, width: 3)
        predictions.label(of: 1)                                      // sample 1's class: 0
    }
}

// Sources/Shoal/ProcessMemory.swift
func example_Shoal_ProcessMemory_1() throws {
    peakResidentBytes().map { $0 >> 20 }   // 84 (MiB)
}

// Sources/Shoal/RunData.swift
func example_Shoal_RunData_1() throws {
    let config = try RunConfig.load(path: "configs/fashion-mlp.yaml")
    let splits = try loadSplits(for: config, targets: .classIndex(count: 10))
    splits.train.count   // 54_000 for Fashion-MNIST with validation_fraction 0.1
}

// Sources/Shoal/RunLog.swift
func example_Shoal_RunLog_1() throws {
    let run = RunDirectory.next(in: "runs/fashion-mlp"), config = RunConfig.default
    let log = try RunLog(directory: run, resolvedConfig: config.resolvedYAML(), fresh: true, report: { print("warning:", $0) })
    log.record("train", step: 50, epoch: 1, [("loss", 0.41), ("learning_rate", 0.001)])
}

// Sources/Shoal/StepCounts.swift
func example_Shoal_StepCounts_1() throws {
    let world = try World.start()
    let counts = StepCounts()
    counts.correct = 57
    try counts.sum(over: world)   // counts.correct: the batch's correct predictions on all ranks
}

// Sources/Shoal/TextGenerator.swift
func example_Shoal_TextGenerator_1() throws {
    let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt/version_0/checkpoints"))
    let text = try generator.generate(prompt: "The ", .default)   // 200 characters, temperature 0.8, top-k 40, seed 1
}

// Sources/Shoal/TextGenerator.swift
func example_Shoal_TextGenerator_2() throws {
    let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt"))
    var options = SamplingOptions.default
    options.topK = 1                                  // greedy
    let text = try generator.generate(prompt: "Th", options)
}

// Sources/Shoal/TextGenerator.swift
func example_Shoal_TextGenerator_3() throws {
    let generator = try TextGenerator(model: TrainedModel(checkpoint: "runs/char-gpt"))
    var options = SamplingOptions.default   // 200 characters, temperature 0.8, top-k 40, seed 1
    options.temperature = 1                 // sample the model as trained
    let text = try generator.generate(prompt: "The ", options)
}

// Sources/Shoal/TrainedModel.swift
func example_Shoal_TrainedModel_1() throws {
    let trained = try TrainedModel(checkpoint: "runs/fashion-mlp/version_0/checkpoints")
    var images = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory).test
    try trained.prepare(&images)                      // as training did: / 255, or standardized
    let rows = try trained.predict(images)            // (count, outputs): probabilities or values
}

// Sources/Shoal/TrainedModel.swift
func example_Shoal_TrainedModel_2() throws {
    TrainedModel.label(of: [0.2, 0.8])   // 1
    TrainedModel.label(of: [0.3])        // 0
}

// Sources/Shoal/Trainer.swift
func example_Shoal_Trainer_1() throws {
    let world = try World.start()
    let trainer = try Trainer(config: try RunConfig.load(path: "configs/fashion-mlp.yaml"), world: world)
    let summary = try trainer.run()
    print(summary.test.accuracy)
}

// Sources/ShoalComm/BucketPlan.swift
func example_ShoalComm_BucketPlan_1() throws {
    let plan = BucketPlan(elementCount: 235_146, bucketElements: 1 << 20)
    plan.buckets          // [0..<235146]
    plan.readyCount(finishedUpTo: 100_000)   // 0: bucket 0 is not complete yet
}

// Sources/ShoalComm/CollectiveError.swift
func example_ShoalComm_CollectiveError_1() throws {
    let world = try World.start()
    let rank0Failure: String? = nil   // rank 0: why its checkpoint did not load
    let failure = try world.broadcast(text: rank0Failure ?? "")
    guard failure.isEmpty else { throw CollectiveError(message: "cannot resume: \(failure)") }
}

// Sources/ShoalComm/Communicator.swift
func example_ShoalComm_Communicator_1() throws {
    let world = try World.start()
    let localLoss = 0.42                  // this rank's
    var losses: [Double] = [localLoss]
    try losses.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }
    if world.rank == 0 { print("mean loss", losses[0] / Double(world.size)) }
}

// Sources/ShoalComm/ExactReduction.swift
func example_ShoalComm_ExactReduction_1() throws {
    let world = try World.start()
    let g = allocateFloats(1000)   // a leaf's gradient (the arena's)
    let myLeaves = [0, 1]          // this rank's leaves of the step
    let exact = ExactReduction(world: world, segments: [0..<1000], maxLeaves: 4)
    repeat {
        exact.beginStep()
        for leaf in myLeaves.dropLast(exact.leavesCarried) {
            // forward, loss, backward of `leaf` into g
            exact.finishLeaf(g, isLast: leaf == myLeaves.last)
        }
    } while try exact.finishStep() == .redo
    exact.gradients   // the sum over every leaf of every rank
}

// Sources/ShoalComm/FastReduction.swift
func example_ShoalComm_FastReduction_1() throws {
    let world = try World.start()
    let model = try Model(inputShape: [784], layers: [.dense(units: 10, activation: nil)],
                          loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
    let sync = try FastReduction(world: world, gradients: model.arena.gradients, bucketElements: 1 << 20, overlap: .thread)
    sync.beginStep()
    // model.forward, model.loss
    model.backward { sync.backwardFinished(upTo: $0) }
    _ = try sync.finishStep()   // model.arena.gradients: the sum over all ranks
}

// Sources/ShoalComm/GradientReduction.swift
func example_ShoalComm_GradientReduction_1() throws {
    func step(_ reduction: any GradientReduction, leaves: Int, computeLeaf: (Int) -> Void) throws {
        repeat {
            reduction.beginStep()
            for leaf in 0..<(leaves - reduction.leavesCarried) { computeLeaf(leaf) }  // forward, loss, backward, finishLeaf
        } while try reduction.finishStep() == .redo
        // reduction.gradients: the sum over every leaf of every rank, for the optimizer
    }
}

// Sources/ShoalComm/MPICommunicator.swift
func example_ShoalComm_MPICommunicator_1() throws {
    let world = try MPICommunicator(threadLevel: .serialized)
    var buffer: [Float] = [1, 2, 3]
    try buffer.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }
    try world.finalize()
}

// Sources/ShoalComm/Phase.swift
func example_ShoalComm_Phase_1() throws {
    Phase.enter(.forward, step: 12)   // the watchdog sees progress; the timeline, if recording, a mark
}

// Sources/ShoalComm/ReductionFingerprint.swift
func example_ShoalComm_ReductionFingerprint_1() throws {
    let world = try World.start()
    let check = FingerprintCheck(world: world)
    try check.agree(on: ReductionFingerprint(step: 12, mode: 1, width: 32, layout: 0, count: 1000, leavesPlanned: 2, leavesDone: 2))
}

// Sources/ShoalComm/SingleProcessCommunicator.swift
func example_ShoalComm_SingleProcessCommunicator_1() throws {
    let world = SingleProcessCommunicator()
    var x: [Float] = [1, 2]
    try x.withUnsafeMutableBufferPointer { try world.allReduce($0, .sum) }  // x == [1, 2]
}

// Sources/ShoalComm/StartAgreement.swift
func example_ShoalComm_StartAgreement_1() throws {
    let world = try World.start()
    let config = try RunConfig.load(path: "configs/fashion-mlp.yaml"), dataHash = "5e2f…"   // sha256Hex of the data
    try world.agreeAtStart(on: [("config", config.canonicalHash), ("data", dataHash)])
}

// Sources/ShoalComm/Timeline.swift
func example_ShoalComm_Timeline_1() throws {
    let world = try World.start()
    Timeline.recorder = Timeline(capacity: 1 << 20)
    try Timeline.recorder?.align(world)        // barrier, then each rank's clock starts at 0
    Phase.enter(.forward)                     // recorded
    let json = try Timeline.recorder?.merged(world, host: "node1")   // rank 0: the trace
}

// Sources/ShoalComm/Watchdog.swift
func example_ShoalComm_Watchdog_1() throws {
    let world = try World.start()
    let watchdog = try Watchdog(world: world, signalled: { StopSignal.received })
    Watchdog.timeout = 600      // seconds: the config's distributed.timeout
    Phase.enter(.forward, step: 12)
    try watchdog.close()        // collective, before MPI_Finalize
}

// Sources/ShoalComm/World.swift
func example_ShoalComm_World_1() throws {
    let world = try World.start()       // MPICommunicator under mpirun, else SingleProcessCommunicator
    defer { try? world.finalize() }
}

// Sources/ShoalConfig/CSVConfigReading.swift
func example_ShoalConfig_CSVConfigReading_1() throws {
    CSVConfig(path: "x.csv", target: .index(-1)).readerTarget   // CSVTarget.index(-1)
}

// Sources/ShoalConfig/CSVConfigReading.swift
func example_ShoalConfig_CSVConfigReading_2() throws {
    let csv = CSVConfig(path: "data/x.csv", target: .name("label"))
    let train = try csv.read(csv.path, targets: .classIndex(count: 2))
    let unlabeled = try csv.read("new.csv", target: .absent)
}

// Sources/ShoalConfig/ConfigError.swift
func example_ShoalConfig_ConfigError_1() throws {
    do {
        _ = try RunConfig.load(path: "configs/x.yaml")
    } catch let error as ConfigError {
        print(error)   // configs/x.yaml:12: optimizer.lr: must be > 0, got -0.1
    }
}

// Sources/ShoalConfig/ConfigLimits.swift
func example_ShoalConfig_ConfigLimits_1() throws {
    let text = String(repeating: "# padding\n", count: 200_000)   // 2 MB
    try ConfigLimits.check(yaml: text, file: "configs/x.yaml")   // throws ConfigError(kind: .tooLarge)
}

// Sources/ShoalConfig/ConfigReference.swift
func example_ShoalConfig_ConfigReference_1() throws {
    print(ConfigReference.markdown())
    ConfigReference.keys.map(\.path)   // ["name", "seed", "data.source", ...]
}

// Sources/ShoalConfig/DataSourceSection.swift
func example_ShoalConfig_DataSourceSection_1() throws {
    let config = try RunConfig.load(path: "configs/char-gpt.yaml")
    switch try config.data.sourceSection() {
    case .fashionMNIST(let directory): print("IDX files in", directory)
    case .csv(let csv): print("CSV file", csv.path)
    case .text(let text): print("text from", text.path)
    case .tokens(let tokens): print("token shards in", tokens.path)
    }
}

// Sources/ShoalConfig/DataSourceSection.swift
func example_ShoalConfig_DataSourceSection_2() throws {
    var data = DataConfig()
    data.source = .text
    try data.sourceSection()   // throws: data.text: missing required key 'text' for source: text, e.g. ...
}

// Sources/ShoalConfig/RunConfig.swift
func example_ShoalConfig_RunConfig_1() throws {
    let config = try RunConfig.load(path: "configs/fashion-cnn.yaml", overrides: ["optimizer.lr=0.01"])
    config.optimizer.lr          // 0.01
    print(config.resolvedYAML()) // every key, defaults filled in, stable order
    config.canonicalHash         // "9c1e…" (16 hex digits), stored in checkpoints
}

// Sources/ShoalConfig/RunConfigParsing.swift
func example_ShoalConfig_RunConfigParsing_1() throws {
    let config = try RunConfig.load(path: "configs/fashion-mlp.yaml", overrides: ["training.epochs=1"])
}

// Sources/ShoalConfig/RunConfigParsing.swift
func example_ShoalConfig_RunConfigParsing_2() throws {
    let config = try RunConfig.parse(yaml: "optimizer: {lr: 0.01}", file: "inline.yaml")
}

// Sources/ShoalConfig/RunConfigRendering.swift
func example_ShoalConfig_RunConfigRendering_1() throws {
    print(RunConfig.default.resolvedYAML())
    // name: fashion-mlp
    // seed: 42
    // data:
    //   source: fashion_mnist
    // ...
}

// Sources/ShoalConfig/RunConfigRendering.swift
func example_ShoalConfig_RunConfigRendering_2() throws {
    var changed = RunConfig.default
    changed.optimizer.lr = 0.01
    changed.differences(from: .default)   // ["optimizer.lr: 0.002 -> 0.01"]
}

// Sources/ShoalData/CSVReader.swift
func example_ShoalData_CSVReader_1() throws {
    // data.csv:  x1,x2,label
    //            0.5,1.5,1
    let data = try CSVReader.read(path: "data.csv", target: .name("label"), header: true)
    data.featureShape   // [2]
    data.targets        // [1]
}

// Sources/ShoalData/CorpusDocuments.swift
func example_ShoalData_CorpusDocuments_1() throws {
    let tokenizer = try BytePairEncoder(path: "gpt2")
    let documents = try CorpusDocuments(tokenizer: tokenizer, separator: "\n%\n")
    let tokens = try documents.encode(file: "/usr/share/games/fortunes/art")   // [50256, ..., 50256, ...]
}

// Sources/ShoalData/DataError.swift
func example_ShoalData_DataError_1() throws {
    do {
        let images = try IDXFile(path: "train-images-idx3-ubyte.gz")
    } catch let error as DataError {
        print(error)   // "train-images-idx3-ubyte.gz: truncated: header says 47040000 data bytes, file has 1000"
    }
}

// Sources/ShoalData/DataSplits.swift
func example_ShoalData_DataSplits_1() throws {
    let (train, test) = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory)
    let splits = try DataSplits(
        train: train, test: test, validationFraction: 0.1, seed: 42, normalization: .scale)
    splits.train.count        // 54000
    splits.validation.count   // 6000
}

// Sources/ShoalData/DataSplits.swift
func example_ShoalData_DataSplits_2() throws {
    let all = try CSVReader.read(path: "data/csv-binary.csv", target: .name("label"))
    let (trainIndices, testIndices) = DataSplits.testSplit(count: all.count, fraction: 0.2, seed: 7)
    let splits = try DataSplits(train: all.subset(trainIndices), test: all.subset(testIndices),
                                validationFraction: 0.1, seed: 7, normalization: .standardize)
}

// Sources/ShoalData/Dataset.swift
func example_ShoalData_Dataset_1() throws {
    let data = try Dataset(featureShape: [2], features: [1, 2, 3, 4], targets: [0, 1], classCount: 2)
    data.count            // 2
    var x = [Float](repeating: 0, count: 2), y = [Float](repeating: 0, count: 1)
    let picks: [Int32] = [1]
    picks.withUnsafeBufferPointer { i in
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in data.gather(indices: i, features: xb, targets: yb) }
        }
    }
    // x == [3, 4], y == [1]
}

// Sources/ShoalData/FashionMNIST.swift
func example_ShoalData_FashionMNIST_1() throws {
    let (train, test) = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory)
    train.count          // 60000
    train.featureShape   // [28, 28, 1]
}

// Sources/ShoalData/FileSystem.swift
func example_ShoalData_FileSystem_1() throws {
    do {
        let bytes = try regularFileSize("data.csv")
    } catch .notRegular {
        print("not a regular file")
    } catch {
        print("cannot stat: \(error)")   // "No such file or directory"
    }
}

// Sources/ShoalData/FileSystem.swift
func example_ShoalData_FileSystem_2() throws {
    let bytes = try regularFileSize("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    try regularFileSize("/dev/zero")   // throws NotARegularFile.notRegular
}

// Sources/ShoalData/IDXFile.swift
func example_ShoalData_IDXFile_1() throws {
    let labels = try IDXFile(path: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    labels.dimensions   // [10000]
    labels.bytes[0]     // 9 (ankle boot)
}

// Sources/ShoalData/Normalization.swift
func example_ShoalData_Normalization_1() throws {
    var images = try Dataset(featureShape: [1], features: [255], targets: [0])
    images.scale(by: 1 / 255)   // features == [1]
}

// Sources/ShoalData/Normalization.swift
func example_ShoalData_Normalization_2() throws {
    var train = try Dataset(featureShape: [2], features: [1, 10, 3, 30], targets: [0, 1])
    var validation = try Dataset(featureShape: [2], features: [2, 20], targets: [1])
    let standardizer = Standardizer(fittedOn: train)   // mean [2, 20], std [1, 10]
    standardizer.apply(to: &train)                     // features == [-1, -1, 1, 1]
    standardizer.apply(to: &validation)                // training's statistics: [0, 0]
}

// Sources/ShoalData/PreparationPlan.swift
func example_ShoalData_PreparationPlan_1() throws {
    let plan = PreparationPlan(fileSizes: [100, 100, 100, 700], ranks: 2, bytesPerRank: 1000)
    plan.rounds       // [0..<4]
    plan.owners       // [0, 0, 0, 1]: 300 bytes and 700
}

// Sources/ShoalData/PreparedCorpus.swift
func example_ShoalData_PreparedCorpus_1() throws {
    let corpus = try PreparedCorpus(directory: "data/fortunes-gpt2")
    corpus.train.count                  // 3 shards
    corpus.vocabularySize               // 50257
    try corpus.validateTokens()
    let llmc = try PreparedCorpus(directory: "dev/data/fineweb10B", tokenizer: "gpt2")
}

// Sources/ShoalData/PreparedCorpus.swift
func example_ShoalData_PreparedCorpus_2() throws {
    try PreparedCorpus(directory: "dev/data/fineweb10B", tokenizer: "gpt2").validateTokens()
}

// Sources/ShoalData/PreparedCorpus.swift
func example_ShoalData_PreparedCorpus_3() throws {
    try PreparedCorpus(directory: "data/fortunes-gpt2").verify()
}

// Sources/ShoalData/PreparedCorpusManifest.swift
func example_ShoalData_PreparedCorpusManifest_1() throws {
    let path = "prepared/manifest.json"
    let manifest = try PreparedCorpusManifest(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
    manifest.shards.filter { $0.split == .train }.count     // 3
}

// Sources/ShoalData/PreparedCorpusWriter.swift
func example_ShoalData_PreparedCorpusWriter_1() throws {
    let tokenizer = try BytePairEncoder(path: "gpt2")
    let documents = try CorpusDocuments(tokenizer: tokenizer, separator: "\n%\n")
    let writer = try PreparedCorpusWriter(directory: "data/fortunes-gpt2", documents: documents,
                                          validationFraction: 0.01, shardTokens: 100_000_000)
    for file in try textFiles(at: "/usr/share/games/fortunes") {
        let tokens = try documents.encode(file: file)
        try tokens.withUnsafeBufferPointer { try writer.append($0) }
    }
    let manifest = try writer.finish()
}

// Sources/ShoalData/ShardedTokens.swift
func example_ShoalData_ShardedTokens_1() throws {
    let corpus = try PreparedCorpus(directory: "data/fortunes-tokens")
    let train = ShardedTokens(corpus.train, identity: corpus.manifestHash)
    train.count   // the tokens of every training shard
}

// Sources/ShoalData/TargetRule.swift
func example_ShoalData_TargetRule_1() throws {
    let rule = TargetRule.classIndex(count: 3)
    rule.violation(of: 4)   // "4 is not a class index in 0..<3"
}

// Sources/ShoalData/TextCodec.swift
func example_ShoalData_TextCodec_1() throws {
    let characters = TextCodec.characters(Vocabulary(characters: [" ", "a", "b"]))
    try characters.encode("ab a")   // [1, 2, 0, 1]
    characters.decode([2, 1])       // "ba"
    characters.count                // 3
}

// Sources/ShoalData/TextCorpus.swift
func example_ShoalData_TextCorpus_1() throws {
    let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
    corpus.tokens.count          // 2_576_627
    corpus.vocabulary.count      // 113
    corpus.files.count           // 43
}

// Sources/ShoalData/TextCorpus.swift
func example_ShoalData_TextCorpus_2() throws {
    let v = Vocabulary(characters: ["\n", " ", "a", "b"])
    try v.encode("ab a")    // [2, 3, 1, 2]
    v.decode([3, 2])        // "ba"
    try v.encode("abc")     // throws: "c" (U+0063) at character 2 is not in the vocabulary
}

// Sources/ShoalData/TextFiles.swift
func example_ShoalData_TextFiles_1() throws {
    let files = try textFiles(at: "/usr/share/games/fortunes")
    files.count     // 43: art, ascii-art, computers, ... (not the .dat indexes, not the .u8 links)
}

// Sources/ShoalData/TextFiles.swift
func example_ShoalData_TextFiles_2() throws {
    let text = try readText(file: "/usr/share/games/fortunes/art")
}

// Sources/ShoalData/TextSplits.swift
func example_ShoalData_TextSplits_1() throws {
    let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
    let splits = try TextSplits(corpus: corpus, validationFraction: 0.1, blockSize: 128, seed: 1337)
    splits.unigramBaseline   // 3.3756 nats/char on the fortunes corpus
}

// Sources/ShoalData/TokenStream.swift
func example_ShoalData_TokenStream_1() throws {
    let stream = TokenArray([5, 6, 7, 8])
    var out = [Float](repeating: 0, count: 2)
    out.withUnsafeMutableBufferPointer { stream.read(1..<3, into: $0) }
    out   // [6, 7]
}

// Sources/ShoalData/TokenWindows.swift
func example_ShoalData_TokenWindows_1() throws {
    let corpus = try TextCorpus.load(path: "/usr/share/games/fortunes")
    let windows = try TokenWindows(tokens: corpus.tokens, blockSize: 128, seed: 1337)
    windows.start(step: 0, slot: 3)   // the same on every rank
}

// Sources/ShoalData/Tokenizer/ByteLevelAlphabet.swift
func example_ShoalData_Tokenizer_ByteLevelAlphabet_1() throws {
    ByteLevelAlphabet.character(of: 0x20)     // "Ġ"
    ByteLevelAlphabet.bytes(of: "Ġthe")       // [0x20, 0x74, 0x68, 0x65]
    ByteLevelAlphabet.bytes(of: "a b")        // nil: " " stands for no byte
}

// Sources/ShoalData/Tokenizer/BytePairEncoder.swift
func example_ShoalData_Tokenizer_BytePairEncoder_1() throws {
    let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    gpt2.encode("Hello world")                      // [15496, 995]
    gpt2.encode("a<|endoftext|>")                    // [64, 27, 91, 437, 1659, 5239, 91, 29]
    gpt2.encode("a<|endoftext|>", allowedSpecial: ["<|endoftext|>"])   // [64, 50256]
    try gpt2.decode([15496, 995])                    // the UTF-8 bytes of "Hello world"
    try gpt2.decode([50257])                         // throws: not in the vocabulary of 50257 tokens
}

// Sources/ShoalData/Tokenizer/BytePairFiles.swift
func example_ShoalData_Tokenizer_BytePairFiles_1() throws {
    let gpt2 = try BytePairEncoder(path: "gpt2")                 // gpt2/tokenizer.json, or gpt2/encoder.json + gpt2/vocab.bpe
    let same = try BytePairEncoder(path: "gpt2/tokenizer.json")
}

// Sources/ShoalData/Tokenizer/BytePairFiles.swift
func example_ShoalData_Tokenizer_BytePairFiles_2() throws {
    let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    gpt2.vocabularySize                  // 50257
    gpt2.specialTokens                   // ["<|endoftext|>": 50256]
}

// Sources/ShoalData/Tokenizer/BytePairFiles.swift
func example_ShoalData_Tokenizer_BytePairFiles_3() throws {
    let gpt2 = try BytePairEncoder(tokenizerFile: "gpt2/tokenizer.json")
    gpt2.encode(" tokenizer")            // [11241, 7509]
}

// Sources/ShoalData/Tokenizer/BytePairFiles.swift
func example_ShoalData_Tokenizer_BytePairFiles_4() throws {
    let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    let json = gpt2.tokenizerJSON()      // {"version":"1.0","truncation":null,...
}

// Sources/ShoalData/Tokenizer/BytePairFiles.swift
func example_ShoalData_Tokenizer_BytePairFiles_5() throws {
    let gpt2 = try BytePairEncoder(vocabularyFile: "gpt2/encoder.json", mergesFile: "gpt2/vocab.bpe")
    try gpt2.write(tokenizerFile: "gpt2/tokenizer.json")
}

// Sources/ShoalData/Tokenizer/BytePairTrainer.swift
func example_ShoalData_Tokenizer_BytePairTrainer_1() throws {
    var trainer = try BytePairTrainer(vocabularySize: 8192)
    for file in try textFiles(at: "/usr/share/games/fortunes") {
        trainer.add(try readText(file: file))
    }
    let tokenizer = try trainer.train()
    tokenizer.specialTokens                          // ["<|endoftext|>": 8191]
    try tokenizer.write(tokenizerFile: "tokenizer/tokenizer.json")
}

// Sources/ShoalData/Tokenizer/BytePairTrainer.swift
func example_ShoalData_Tokenizer_BytePairTrainer_2() throws {
    let trainer = try BytePairTrainer(vocabularySize: 4096, specialTokens: ["<|endoftext|>", "<|pad|>"])
}

// Sources/ShoalData/Tokenizer/BytePairTrainer.swift
func example_ShoalData_Tokenizer_BytePairTrainer_3() throws {
    var trainer = try BytePairTrainer(vocabularySize: 300)
    trainer.add("the cat and the hat")       // pieces "the", " cat", " and", " the", " hat"
}

// Sources/ShoalData/Tokenizer/BytePairTrainer.swift
func example_ShoalData_Tokenizer_BytePairTrainer_4() throws {
    var trainer = try BytePairTrainer(vocabularySize: 300, specialTokens: [])
    trainer.add("low lower lowest")
    let tokenizer = try trainer.train()
    tokenizer.encode(" lowest")                  // [259, 115, 116]: " lowe", "s", "t"
    tokenizer.vocabularySize                     // 260: lo, low, " low", " lowe"; then no pair occurs twice
}

// Sources/ShoalData/Tokenizer/TokenizerError.swift
func example_ShoalData_Tokenizer_TokenizerError_1() throws {
    do {
        let gpt2 = try BytePairEncoder(tokenizerFile: "bert/tokenizer.json")
    } catch {
        print(error)   // "bert/tokenizer.json: not a byte-level BPE tokenizer: model.type is "WordPiece" ..."
    }
}

// Sources/ShoalFormats/DType.swift
func example_ShoalFormats_DType_1() throws {
    let dtype = DType(rawValue: "F32")   // .f32
    dtype?.byteWidth                     // 4
}

// Sources/ShoalFormats/DType.swift
func example_ShoalFormats_DType_2() throws {
    let tensor = SafeTensor(name: "step", shape: [], values: [Int64(40)])
    let step = try tensor.values(as: Int64.self)[0]
}

// Sources/ShoalFormats/DurableIO.swift
func example_ShoalFormats_DurableIO_1() throws {
    let svg = #"<svg xmlns="http://www.w3.org/2000/svg"/>"#
    try DurableIO.writeFile(at: URL(fileURLWithPath: "runs/a/curves.svg"), data: Data(svg.utf8))
}

// Sources/ShoalFormats/DurableIO.swift
func example_ShoalFormats_DurableIO_2() throws {
    let url = URL(fileURLWithPath: "runs/a/checkpoints/latest")
    let sha256 = try DurableIO.writeFile(at: url, data: Data("step-00000040\n".utf8))
}

// Sources/ShoalFormats/FileSystemError.swift
func example_ShoalFormats_FileSystemError_1() throws {
    do { try DurableIO.writeFile(at: URL(fileURLWithPath: "/runs/a/checkpoints/latest"), data: Data("step-00000040\n".utf8)) }
    catch let error as FileSystemError { print(error) }
    // could not fsync /runs/a/checkpoints/.tmp-step-00000040-812/model.safetensors: No space left on device
}

// Sources/ShoalFormats/SHA256.swift
func example_ShoalFormats_SHA256_1() throws {
    let hasher = SHA256()
    hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
    hasher.finalizeHex()  // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

// Sources/ShoalFormats/SHA256.swift
func example_ShoalFormats_SHA256_2() throws {
    let parameters: [Float] = [1, 2, 3]
    let hash = parameters.withUnsafeBytes { sha256Hex(of: $0) }
}

// Sources/ShoalFormats/SHA256.swift
func example_ShoalFormats_SHA256_3() throws {
    let features: [Float] = [0.5], targets: [Float] = [1]
    let dataHash = features.withUnsafeBytes { f in targets.withUnsafeBytes { t in sha256Hex(ofConcatenation: [f, t]) } }
}

// Sources/ShoalFormats/SHA256.swift
func example_ShoalFormats_SHA256_4() throws {
    sha256Hex(of: Data("abc".utf8))  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
}

// Sources/ShoalFormats/SHA256.swift
func example_ShoalFormats_SHA256_5() throws {
    let hash = try sha256Hex(ofFileAt: URL(fileURLWithPath: "runs/a/checkpoints/latest/model.safetensors"))
}

// Sources/ShoalFormats/SafeTensor.swift
func example_ShoalFormats_SafeTensor_1() throws {
    let weights: [Float] = [0.5, -1, 2, 0]
    let tensor = weights.withUnsafeBufferPointer {
        SafeTensor(name: "layers.0.weight", shape: [2, 2], elements: $0)
    }
    var back = [Float](repeating: 0, count: 4)
    try back.withUnsafeMutableBufferPointer { try tensor.copy(into: $0) }
}

// Sources/ShoalFormats/SafeTensors.swift
func example_ShoalFormats_SafeTensors_1() throws {
    let url = URL(fileURLWithPath: "model.safetensors")
    let weight = SafeTensor(name: "layers.0.weight", shape: [2, 3], values: [Float](repeating: 1, count: 6))
    try SafeTensorsFile.write([weight], metadata: ["format": "pt"], to: url)

    let file = try SafeTensorsFile.read(from: url)
    let w = try file.requireTensor(named: "layers.0.weight", dtype: .f32, count: 6)
}

// Sources/ShoalFormats/SafeTensors.swift
func example_ShoalFormats_SafeTensors_2() throws {
    let model = try SafeTensorsFile.read(from: URL(fileURLWithPath: "runs/a/checkpoints/latest/model.safetensors"))
    let weight = try model.requireTensor(named: "layers.0.weight", dtype: .f32, count: 784 * 128)
}

// Sources/ShoalFormats/SafeTensorsError.swift
func example_ShoalFormats_SafeTensorsError_1() throws {
    do { _ = try SafeTensorsFile.read(from: URL(fileURLWithPath: "/runs/a/model.safetensors")) }
    catch let error as SafeTensorsError { print(error) }
    // /runs/a/model.safetensors: truncated: the header describes 4096 bytes of tensor data
    // but the file holds only 1024; the file was cut short (disk full or an interrupted copy?)
}

// Sources/ShoalFormats/StrictJSON.swift
func example_ShoalFormats_StrictJSON_1() throws {
    let request = try StrictJSON.parse(Array(#"{"inputs": [[0, 255]]}"#.utf8))
    request["inputs"]                                 // .array([.array([.number("0"), .number("255")])])
    StrictJSON.object([("status", .string("ok"))]).serialized   // {"status":"ok"}
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_1() throws {
    let shard = try TokenShard(path: "prepared/train_000000.bin")
    shard.count                       // 100_000_000
    shard.tokenWidth                  // 2
    shard[0]                          // 50256, <|endoftext|> before the first document
    var window = [Float](repeating: 0, count: 1025)
    window.withUnsafeMutableBufferPointer { shard.copy(from: 4096, count: 1025, into: $0) }
    try shard.validate(vocabularySize: 50257)
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_2() throws {
    let shard = try TokenShard(path: "prepared/train_000000.bin")
    _ = shard[4096]
    shard.releasePages(from: 4096, count: 1)
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_3() throws {
    try TokenShard(path: "prepared/val_000000.bin").maximumToken()   // 50256
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_4() throws {
    try TokenShard(path: "fineweb10B/fineweb_val_000000.bin").validate(vocabularySize: 50257)
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_5() throws {
    TokenShard.tokenWidth(vocabularySize: 50257)    // 2
    TokenShard.tokenWidth(vocabularySize: 128_256)  // 4
}

// Sources/ShoalFormats/TokenShard.swift
func example_ShoalFormats_TokenShard_6() throws {
    let tokens: [Int32] = [50256, 15496, 995]
    let sha256 = try tokens.withUnsafeBufferPointer { try TokenShard.write($0, tokenWidth: 2, to: "val_000000.bin") }
}

// Sources/ShoalFormats/TokenShardError.swift
func example_ShoalFormats_TokenShardError_1() throws {
    do {
        let shard = try TokenShard(path: "data/fineweb_train_000001.bin")
    } catch {
        print(error)   // "data/fineweb_train_000001.bin: truncated: the header announces 100000000 tokens of 2 bytes, ..."
    }
}

// Sources/ShoalFormats/TokenShardWriter.swift
func example_ShoalFormats_TokenShardWriter_1() throws {
    let writer = try TokenShardWriter(path: "prepared/train_000000.bin", tokenWidth: 2)
    let document: [Int32] = [50256, 15496, 995]
    try document.withUnsafeBufferPointer { try writer.append($0) }
    writer.count                        // 3
    let sha256 = try writer.finish()
}

// Sources/ShoalMetrics/MetricsError.swift
func example_ShoalMetrics_MetricsError_1() throws {
    do { _ = try MetricsFile.read(path: "runs/a/metrics.jsonl") }
    catch let error as MetricsError { print(error) }
    // runs/a/metrics.jsonl:7: not a metrics record: "step" is missing
}

// Sources/ShoalMetrics/MetricsFile.swift
func example_ShoalMetrics_MetricsFile_1() throws {
    let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
    let losses = records.filter { $0.kind == "train" }.compactMap { $0.values["loss"] }
}

// Sources/ShoalMetrics/MetricsFile.swift
func example_ShoalMetrics_MetricsFile_2() throws {
    let path = "runs/a/metrics.jsonl"
    do { let records = try MetricsFile.read(path: path) }
    catch let error as MetricsError { print(error) } // runs/a/metrics.jsonl:7: not a metrics record: not valid JSON
}

// Sources/ShoalMetrics/MetricsFile.swift
func example_ShoalMetrics_MetricsFile_3() throws {
    let log = try MetricsFileWriter(path: "runs/a/metrics.jsonl")
    try log.append(MetricsRecord(kind: "train", step: 40, epoch: 1, wallTime: Date().timeIntervalSince1970,
                                 values: ["loss": 0.31, "learning_rate": 0.001]))
}

// Sources/ShoalMetrics/MetricsFile.swift
func example_ShoalMetrics_MetricsFile_4() throws {
    let runDirectory = "runs/a"
    let log = try MetricsFileWriter(path: runDirectory + "/metrics.jsonl") // resumes an existing file
}

// Sources/ShoalMetrics/MetricsFile.swift
func example_ShoalMetrics_MetricsFile_5() throws {
    let log = try MetricsFileWriter(path: "runs/a/metrics.jsonl"), now = Date().timeIntervalSince1970
    try log.append(MetricsRecord(kind: "validation", step: 400, epoch: 1, wallTime: now, values: ["loss": 0.42]))
}

// Sources/ShoalMetrics/MetricsRecord.swift
func example_ShoalMetrics_MetricsRecord_1() throws {
    let record = MetricsRecord(kind: "train", step: 40, epoch: 1, wallTime: 1764651000.25,
                               values: ["loss": 0.31, "learning_rate": 0.001])
    // {"epoch":1,"kind":"train","learning_rate":0.001,"loss":0.31,"step":40,"wall_time":1764651000.25}
}

// Sources/ShoalMetrics/MetricsRecord.swift
func example_ShoalMetrics_MetricsRecord_2() throws {
    let record = MetricsRecord(kind: "validation", step: 400, wallTime: Date().timeIntervalSince1970,
                               values: ["loss": 0.42, "accuracy": 0.87])
}

// Sources/ShoalMetrics/MetricsRecord.swift
func example_ShoalMetrics_MetricsRecord_3() throws {
    let record = try JSONDecoder().decode(MetricsRecord.self, from: Data(#"{"kind":"test","step":9,"loss":null}"#.utf8))
    // record.values["loss"]!.isNaN == true
}

// Sources/ShoalMetrics/MetricsRecord.swift
func example_ShoalMetrics_MetricsRecord_4() throws {
    let record = MetricsRecord(kind: "train", step: 40, wallTime: 1764651000.25, values: ["loss": .nan])
    let line = try JSONEncoder().encode(record)   // one flat object; the NaN loss as "loss":null
}

// Sources/ShoalMetrics/MetricsRecord.swift
func example_ShoalMetrics_MetricsRecord_5() throws {
    let a = MetricsRecord(kind: "train", step: 1, wallTime: 0, values: ["loss": .nan])
    // a == a
}

// Sources/ShoalMetrics/OutputFile.swift
func example_ShoalMetrics_OutputFile_1() throws {
    let file = try OutputFile(path: "runs/a/metrics.jsonl", flags: O_WRONLY | O_CREAT | O_APPEND)
    try file.write(Array("{}\n".utf8))
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_1() throws {
    let plot = try CurvePlot(records: MetricsFile.read(path: "runs/a/metrics.jsonl"), title: "a")
    try plot.svg().write(toFile: "runs/a/curves.svg", atomically: true, encoding: .utf8)
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_2() throws {
    let plot = try CurvePlot(records: [MetricsRecord(kind: "train", step: 10, wallTime: 0, values: ["loss": 2.25])])
    plot.panels[0].series[0].points.first // Point(step: 10, value: 2.25)
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_3() throws {
    let plot = try CurvePlot(records: [MetricsRecord(kind: "train", step: 10, wallTime: 0, values: ["loss": 2.25]),
                                       MetricsRecord(kind: "validation", step: 10, wallTime: 0, values: ["loss": 2.31])])
    plot.panels[0].series.map(\.name) // ["train loss", "validation loss"]
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_4() throws {
    let plot = try CurvePlot(records: MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl"))
    plot.panels.map(\.metric) // ["loss", "accuracy"]
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_5() throws {
    let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
    let plot = try CurvePlot(records: records)
    // plot.panels.map(\.metric) == ["loss", "accuracy"]
}

// Sources/ShoalMetrics/Plot/CurvePlot.swift
func example_ShoalMetrics_Plot_CurvePlot_6() throws {
    let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
    let svg = try CurvePlot(records: records, title: "fashion-mlp").svg()
    // <?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ...
}

// Sources/ShoalMetrics/TensorBoard/CRC32C.swift
func example_ShoalMetrics_TensorBoard_CRC32C_1() throws {
    CRC32C.checksum(Array("123456789".utf8))          // 0xE3069283
    CRC32C.masked(CRC32C.checksum(Array("123456789".utf8)))
}

// Sources/ShoalMetrics/TensorBoard/EventFileWriter.swift
func example_ShoalMetrics_TensorBoard_EventFileWriter_1() throws {
    let events = try EventFileWriter(directory: "runs/fashion-mlp")
    try events.addScalars([("train/loss", 0.31), ("train/learning_rate", 0.001)],
                          step: 40, wallTime: Date().timeIntervalSince1970)
}

// Sources/ShoalMetrics/TensorBoard/EventFileWriter.swift
func example_ShoalMetrics_TensorBoard_EventFileWriter_2() throws {
    let events = try EventFileWriter(directory: "/tmp/tb", host: "node1", time: 1764651000)
    // events.path == "/tmp/tb/events.out.tfevents.1764651000.node1"
}

// Sources/ShoalMetrics/TensorBoard/EventFileWriter.swift
func example_ShoalMetrics_TensorBoard_EventFileWriter_3() throws {
    let events = try EventFileWriter(directory: "runs/a"), now = Date().timeIntervalSince1970
    try events.addScalars([("validation/loss", 0.42), ("validation/accuracy", 0.87)], step: 400, wallTime: now)
}

// Sources/ShoalMetrics/TensorBoard/EventFileWriter.swift
func example_ShoalMetrics_TensorBoard_EventFileWriter_4() throws {
    var event = ProtobufEncoding()
    event.int64(2, 400)                              // Event.step
    let framed = EventFileWriter.record(event.bytes) // 16 bytes longer than the event
}

// Sources/ShoalMetrics/TensorBoard/ProtobufEncoding.swift
func example_ShoalMetrics_TensorBoard_ProtobufEncoding_1() throws {
    var value = ProtobufEncoding()
    value.string(1, "train/loss")   // Summary.Value.tag
    value.float(2, 0.31)            // Summary.Value.simple_value
    var summary = ProtobufEncoding()
    summary.message(1, value)       // Summary.value
}

// Sources/ShoalNN/Activations.swift
func example_ShoalNN_Activations_1() throws {
    var row: [Float] = [1, 2, 3]
    row.withUnsafeMutableBufferPointer { softmaxRow($0.baseAddress!, $0.baseAddress!, count: 3) }
    // row ≈ [0.090, 0.245, 0.665]
}

// Sources/ShoalNN/ForwardContext.swift
func example_ShoalNN_ForwardContext_1() throws {
    let model = try Model(inputShape: [4], layers: [.dropout(rate: 0.5), .dense(units: 2, activation: nil)],
                          loss: .meanSquaredError, seed: 1, maxBatch: 3)
    let x = [Float](repeating: 1, count: 3 * 4)
    let ids: [Int32] = [1041, 7, 59_999]    // the batch's sample indices: each row's dropout mask
    ids.withUnsafeBufferPointer { ids in
        let ctx = ForwardContext(training: true, step: 12, sampleIndices: ids)
        _ = x.withUnsafeBufferPointer { model.forward($0, batch: 3, context: ctx) }
    }
    let eval = ForwardContext.inference     // no dropout, no indices needed
    let answer = ForwardContext.prediction  // and each row's bits from that row alone
}

// Sources/ShoalNN/Initializers.swift
func example_ShoalNN_Initializers_1() throws {
    let rule = InitializerRule(match: "*.proj.weight", initializer: .normal(std: 0.02 / 8.0.squareRoot()))
}

// Sources/ShoalNN/LayerSpec.swift
func example_ShoalNN_LayerSpec_1() throws {
    let layers: [LayerSpec] = [
        .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
        .maxPool2D(size: 2, stride: nil),
        .dropout(rate: 0.25),
        .flatten,
        .dense(units: 128, activation: .relu),
        .dense(units: 10, activation: nil),
    ]
    layers[4].kind                     // "dense"
    layers[4].arguments["units"]       // .int(128)
}

// Sources/ShoalNN/LayerSyntax.swift
func example_ShoalNN_LayerSyntax_1() throws {
    // Dropout.swift: `static let syntax = LayerSyntax(…)` in the layer's type, listed in LayerRegistry.
    let syntax = LayerSyntax(
        name: "dropout", summary: "zeroes each activation with probability rate while training",
        arguments: [.init("rate", .double(.unitInterval), doc: "probability of dropping an element")],
        example: "dropout: {rate: 0.25}") { context throws(ModelError) in
            [try Dropout(place: context.place, rate: try context.double("rate"), inputShape: context.inputShape,
                         seed: context.seed, maxBatch: context.maxBatch, memory: context.memory)]
        }
}

// Sources/ShoalNN/Model.swift
func example_ShoalNN_Model_1() throws {
    let model = try Model(inputShape: [784],
                          layers: [.dense(units: 256, activation: .relu), .dense(units: 10, activation: nil)],
                          loss: .softmaxCrossEntropy, seed: 42, maxBatch: 64)
    model.parameterCount                        // 203_530
    let x = [Float](repeating: 0.5, count: 64 * 784), labels = [Float](repeating: 3, count: 64)  // class indices
    model.arena.zeroGradients()
    let logits = x.withUnsafeBufferPointer { model.forward($0, batch: 64, context: .inference) }  // (64, 10)
    let lossSum = labels.withUnsafeBufferPointer { model.loss(targets: $0, gradientScale: 1.0 / 64) }
    model.backward()                            // arena.gradients += ∂(lossSum / 64)/∂θ
}

// Sources/ShoalNN/Model.swift
func example_ShoalNN_Model_2() throws {
    let model = try Model(inputShape: [4], layers: [.dense(units: 2, activation: nil)],
                          loss: .meanSquaredError, seed: 1, maxBatch: 32)
    let x = [Float](repeating: 1, count: 32 * 4)
    let y = x.withUnsafeBufferPointer { model.forward($0, batch: 32, context: .inference) }  // (32, 2)
}

// Sources/ShoalNN/Model.swift
func example_ShoalNN_Model_3() throws {
    let model = try Model(inputShape: [4], layers: [.dense(units: 3, activation: nil)],
                          loss: .softmaxCrossEntropy, seed: 1, maxBatch: 2)
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8], labels: [Float] = [0, 2]   // 2 samples, their classes
    _ = x.withUnsafeBufferPointer { model.forward($0, batch: 2, context: .inference) }
    let globalBatch = 2   // samples in the step over all ranks
    let sum = labels.withUnsafeBufferPointer { model.loss(targets: $0, gradientScale: 1 / Float(globalBatch)) }
}

// Sources/ShoalNN/Model.swift
func example_ShoalNN_Model_4() throws {
    let mlp = try Model(inputShape: [784], layers: [.dense(units: 256, activation: .relu),
                        .dense(units: 128, activation: .relu), .dense(units: 10, activation: nil)],
                        loss: .softmaxCrossEntropy, seed: 1, maxBatch: 1)
    mlp.trainingFlopsPerSample   // ≈ 1.0e6 for 784-256-128-10
}

// Sources/ShoalNN/ModelError.swift
func example_ShoalNN_ModelError_1() throws {
    do { _ = try Model(inputShape: [28, 28, 1], layers: [.flatten, .conv2D(filters: 8, kernel: 3, stride: 1, padding: .valid, activation: nil)],
                       loss: .meanSquaredError, seed: 1, maxBatch: 8) }
    catch let e as ModelError { print(e) }
    // layer 1 (Conv2D): needs a (height, width, channels) input, got (784); a Conv2D cannot follow Flatten
}

// Sources/ShoalNN/ModelMemory.swift
func example_ShoalNN_ModelMemory_1() throws {
    let memory = ModelMemory()                  // at most this machine's physical memory
    let (T, units) = (128, 256)
    let buffers = try memory.floats([[64, T, 4 * units], [64, units]], for: LayerPlace(index: 2), "LSTM")
}

// Sources/ShoalNN/Summary.swift
func example_ShoalNN_Summary_1() throws {
    let m = try Model(inputShape: [4, 8], layers: [.repeat(2, [.residual([.layerNorm(), .dense(units: 8)])])],
                      loss: .meanSquaredError, seed: 1, maxBatch: 2)
    m.layerSummaries(expandNested: true).map(\.name)
    // ["layers.0", "layers.0.0.0", "layers.0.0.0.0", "layers.0.0.0.1", "layers.0.1.0", "layers.0.1.0.0", "layers.0.1.0.1"]
}

// Sources/ShoalOptim/Clipping.swift
func example_ShoalOptim_Clipping_1() throws {
    let gradients: [Float] = [3, 4]
    let norm = gradients.withUnsafeBufferPointer { globalNorm($0) }   // 5.0, a Double
}

// Sources/ShoalOptim/Clipping.swift
func example_ShoalOptim_Clipping_2() throws {
    var gradients: [Float] = [3, 4]
    let normBefore = gradients.withUnsafeMutableBufferPointer { clipGlobalNorm($0, maxNorm: 1.0) }  // 5; gradients ≈ [0.6, 0.8]
    if !normBefore.isFinite { /* stop: non-finite gradients */ }
}

// Sources/ShoalOptim/EarlyStopping.swift
func example_ShoalOptim_EarlyStopping_1() throws {
    var stopping = try EarlyStopping(lossBelow: 0.05, patience: 3, minDelta: 1e-3, mode: .min)
    let (loss, validationLoss) = (0.31, 0.42)   // the step's, the evaluation's
    if case .stop(let reason) = stopping.observe(trainingLoss: loss) { print(reason); return }
    if case .stop(let reason) = stopping.observe(validation: validationLoss) { print(reason); return }
    let saved = stopping.state   // kept in checkpoints as CheckpointState.earlyStopping
}

// Sources/ShoalOptim/LearningRateSchedule.swift
func example_ShoalOptim_LearningRateSchedule_1() throws {
    let schedule = LearningRateSchedule.warmup(steps: 100, then: .cosine(totalSteps: 1000, minRate: 1e-5))
    try schedule.validate(baseRate: 3e-4)
    schedule.learningRate(atStep: 0, baseRate: 3e-4)     // 3e-6
    schedule.learningRate(atStep: 100, baseRate: 3e-4)   // 3e-4
    schedule.learningRate(atStep: 1000, baseRate: 3e-4)  // 1e-5
}

// Sources/ShoalOptim/Optimizer.swift
func example_ShoalOptim_Optimizer_1() throws {
    let entries = [ParameterArena.Entry(name: "layers.0.weight", shape: [6], offset: 0),
                  ParameterArena.Entry(name: "layers.0.bias", shape: [2], offset: 6)]
    let optimizer = try Optimizer(
        kind: .adamW(), entries: entries, defaults: GroupOptions(weightDecay: 0.01),
        groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0))])
    let weights = allocateFloats(8), grads = allocateFloats(8)   // or a ParameterArena's
    let schedule = LearningRateSchedule.cosine(totalSteps: 1000)
    let lr = schedule.learningRate(atStep: optimizer.stepCount, baseRate: 3e-4)
    optimizer.step(parameters: weights, gradients: grads, learningRate: Float(lr))
}

// Sources/ShoalOptim/OptimizerError.swift
func example_ShoalOptim_OptimizerError_1() throws {
    let entries = [ParameterArena.Entry(name: "layers.0.weight", shape: [4], offset: 0)]
    do {
        _ = try Optimizer(kind: .adam(beta1: 1.5, beta2: 0.999, eps: 1e-8), entries: entries,
                          defaults: GroupOptions())
    } catch let error as OptimizerError {
        print("configs/run.yaml: optimizer.\(error)")  // configs/run.yaml: optimizer.beta1 = 1.5: must be in [0, 1)
    }
}

// Sources/ShoalOptim/OptimizerKind.swift
func example_ShoalOptim_OptimizerKind_1() throws {
    let kind = OptimizerKind.adamW(beta1: 0.9, beta2: 0.999, eps: 1e-8)
    let plain = OptimizerKind.adam()   // β1 0.9, β2 0.999, ε 1e-8
}

// Sources/ShoalOptim/ParameterGroup.swift
func example_ShoalOptim_ParameterGroup_1() throws {
    let defaults = GroupOptions(weightDecay: 0.01)
    let noDecay = ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0))
}

// Sources/ShoalOptim/ParameterGroup.swift
func example_ShoalOptim_ParameterGroup_2() throws {
    let groups = [
        ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0)),
        ParameterGroup(pattern: "*norm*", options: GroupOptions(weightDecay: 0)),
    ]
}

// Sources/ShoalServe/PredictionQueue.swift
func example_ShoalServe_PredictionQueue_1() async throws {
    let trained = try TrainedModel(checkpoint: "runs/fashion-mlp/version_0/checkpoints")
    let pixels = [Float](repeating: 0, count: 784)   // one image, as `shoal predict` reads it
    let queue = PredictionQueue(model: trained, generator: nil)
    let rows = try await queue.predict([pixels])    // [[p0, p1, ...]]
}

// Sources/ShoalServe/PredictionServer.swift
func example_ShoalServe_PredictionServer_1() async throws {
    let server = try PredictionServer(checkpoint: "runs/fashion-mlp", host: "127.0.0.1", port: 8080)
    try await server.run { print("listening") }    // until SIGTERM or SIGINT
}

// Sources/ShoalTensor/ElementCount.swift
func example_ShoalTensor_ElementCount_1() throws {
    elementCount(of: [60000, 28, 28])       // 47_040_000
    elementCount(of: [1 << 32, 1 << 32])    // nil
}

// Sources/ShoalTensor/Gemm.swift
func example_ShoalTensor_Gemm_1() throws {
    // out(B, O) = x(B, I) · W(O, I)ᵀ — a Dense forward
    let (B, I, O) = (2, 3, 4)
    let x = allocateFloats(B * I), w = allocateFloats(O * I), out = allocateFloats(B * O)
    sgemm(transA: false, transB: true, m: B, n: O, k: I,
          a: x.baseAddress!, lda: I, b: w.baseAddress!, ldb: I, beta: 0, c: out.baseAddress!, ldc: O)
}

// Sources/ShoalTensor/GlobPattern.swift
func example_ShoalTensor_GlobPattern_1() throws {
    globMatches("*.bias", "layers.0.bias")        // true
    globMatches("layers.?.weight", "layers.3.weight")  // true
    globMatches("*norm*", "layers.2.layernorm.weight") // true
}

// Sources/ShoalTensor/Im2col.swift
func example_ShoalTensor_Im2col_1() throws {
    let g = ConvGeometry(inHeight: 28, inWidth: 28, channels: 1, kernel: 3, stride: 1, same: false)
    (g.outHeight, g.outWidth)   // (26, 26)
}

// Sources/ShoalTensor/Im2col.swift
func example_ShoalTensor_Im2col_2() throws {
    let g = ConvGeometry(inHeight: 4, inWidth: 4, channels: 1, kernel: 3, stride: 1, same: false)
    let image = allocateFloats(4 * 4), columns = allocateFloats(g.outHeight * g.outWidth * g.patchSize)
    im2col(image.baseAddress!, batch: 1, geometry: g, columns: columns.baseAddress!)   // (4, 9)
}

// Sources/ShoalTensor/Im2col.swift
func example_ShoalTensor_Im2col_3() throws {
    let g = ConvGeometry(inHeight: 4, inWidth: 4, channels: 1, kernel: 3, stride: 1, same: false)
    let dColumns = allocateFloats(g.outHeight * g.outWidth * g.patchSize), dInput = allocateFloats(4 * 4)
    col2im(dColumns.baseAddress!, batch: 1, geometry: g, image: dInput.baseAddress!)   // dInput += the patches' sums
}

// Sources/ShoalTensor/Kernels.swift
func example_ShoalTensor_Kernels_1() throws {
    let x: [Float] = [1, 2, 3]
    var y: [Float] = [10, 20, 30]
    add(x, into: &y, count: 3)         // y == [11, 22, 33]
    let s = sum(x, count: 3)           // 6.0: Σ x, accumulated in Double
}

// Sources/ShoalTensor/ParameterArena.swift
func example_ShoalTensor_ParameterArena_1() throws {
    let arena = ParameterArena(executionOrder: [("layers.0.weight", [4, 3]), ("layers.0.bias", [4]),
                                                ("layers.1.weight", [2, 4]), ("layers.1.bias", [2])])
    arena.entries.map(\.name)   // ["layers.1.weight", "layers.1.bias", "layers.0.weight", "layers.0.bias"]
    arena.entry(named: "layers.0.bias")!.offset   // 22
    arena.zeroGradients()
}

// Sources/ShoalTensor/Philox.swift
func example_ShoalTensor_Philox_1() throws {
    let rng = Philox(seed: 42, stream: 7)
    let block = rng.block(at: 0)          // four independent UInt32
    let u = rng.uniform(at: 5)            // Float in [0, 1)
}

// Sources/ShoalTensor/PhiloxSIMD.swift
func example_ShoalTensor_PhiloxSIMD_1() throws {
    let rng = Philox(seed: 42)
    let (w0, w1, w2, w3) = rng.blocks8(at: 16)
    w2[3] == rng.block(at: 19).2   // true
}

// Sources/ShoalTensor/Tensor.swift
func example_ShoalTensor_Tensor_1() throws {
    let t = Tensor(shape: [2, 3])          // zero-filled
    t[1, 2] = 5
    t.storage[5]                           // 5.0: element (1, 2) of a (2, 3) tensor
    let u = Tensor(shape: [2], values: [1, 2])
}

// Sources/ShoalTensor/Tensor.swift
func example_ShoalTensor_Tensor_2() throws {
    let buf = allocateFloats(1024)
    defer { buf.baseAddress?.deallocate() }
}

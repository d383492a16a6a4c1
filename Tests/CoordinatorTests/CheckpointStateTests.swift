import Coordinator
import Foundation
import ShoalComm
import ShoalOptim
import Testing

/// state.json: format 2's typed fields round-trip, and a state written by format 1 still reads.
@Suite("checkpoint state")
struct CheckpointStateTests {
    @Test("format 2 round-trips every typed field")
    func roundTrip() throws {
        let state = sampleState(step: 23)
        let json = try JSONEncoder().encode(state)
        let text = String(decoding: json, as: UTF8.self)
        for key in ["\"format_version\":2", "\"step_in_epoch\":3", "\"optimizer_step\":23", "\"evaluations_without_improvement\":2",
                    "\"exact_reduction\"", "\"standardizer\""] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(!text.contains("extra"))
        #expect(try JSONDecoder().decode(CheckpointState.self, from: json) == state)
    }

    @Test("a format-1 state.json (text in `extra`) reads into the typed fields")
    func formatOne() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MultiProcessTests/Fixtures/v1-checkpoint/state.json")
        let state = try JSONDecoder().decode(CheckpointState.self, from: Data(contentsOf: url))
        #expect(state.formatVersion == 1)
        #expect(state.position == TrainingPosition(step: 4, epoch: 0, stepInEpoch: 4))
        #expect(state.optimizerStep == 4)
        #expect(state.earlyStopping == EarlyStoppingState(best: 2.015230065346259, evaluationsWithoutImprovement: 0))
        #expect(state.reductionState == ReductionState(width: 32, exponents: [29, 29, 30, 30]))
        #expect(state.standardizer == nil)
        // Written again, it is format 2.
        let again = try JSONDecoder().decode(CheckpointState.self, from: try JSONEncoder().encode(state))
        #expect(again.formatVersion == 2 && again.position == state.position && again.reductionState == state.reductionState)
    }
}

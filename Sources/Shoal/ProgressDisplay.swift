import Foundation

/// Rank 0's progress line: step, epoch, loss, samples/s and ETA. On a terminal it redraws one
/// line in place a few times a second; otherwise (a log file, CI) it prints plain lines, about
/// ten per epoch. Events (evaluations, checkpoints, resume) are printed in every mode but
/// `silent`, which the other ranks use.
public final class ProgressDisplay {
    public enum Mode: Sendable { case redraw, plain, eventsOnly, silent }
    /// What the throughput counts: samples, or a language model's tokens (samples × positions).
    public enum Rate: Sendable { case samples, tokens(perSample: Int) }

    private let mode: Mode
    private let totalSteps: Int
    private let plainEvery: Int
    private let rate: Rate
    private var lastDraw = 0.0

    public init(mode: Mode, totalSteps: Int, stepsPerEpoch: Int, rate: Rate = .samples) {
        self.mode = mode
        self.rate = rate
        self.totalSteps = totalSteps
        self.plainEvery = max(1, stepsPerEpoch / 10)
    }

    /// `auto` redraws on a terminal and prints plain lines elsewhere. Under mpirun a rank's
    /// stdout is a pseudo-terminal whatever mpirun's is, so launch/mpirun passes
    /// `SHOAL_STDOUT_IS_TTY` along; a rank without it trusts its own stdout.
    public static func mode(for setting: String) -> Mode {
        switch setting {
        case "none": return .eventsOnly
        case "plain": return .plain
        default:
            if let told = ProcessInfo.processInfo.environment["SHOAL_STDOUT_IS_TTY"] { return told == "1" ? .redraw : .plain }
            return isatty(STDOUT_FILENO) != 0 ? .redraw : .plain
        }
    }

    func update(step: Int, epoch: Int, loss: Double, samplesPerSecond: Double, elapsed: Double, now: Double, firstStep: Int = 0) {
        let done = step + 1
        // Decide first, format after: most steps print nothing, and those must not allocate.
        switch mode {
        case .silent, .eventsOnly: return
        case .plain: guard done % plainEvery == 0 || done == totalSteps else { return }
        case .redraw: guard now - lastDraw > 0.25 || done == totalSteps else { return }
        }
        let eta = done < totalSteps ? elapsed / Double(done - firstStep) * Double(totalSteps - done) : 0
        let line = switch rate {
        case .samples:
            String(format: "step %d/%d  epoch %d  loss %.4f  %.0f samples/s  ETA %@",
                   done, totalSteps, epoch + 1, loss, samplesPerSecond, Self.duration(eta))
        case .tokens(let perSample):
            String(format: "step %d/%d  epoch %d  loss %.4f  %.0f tokens/s  ETA %@",
                   done, totalSteps, epoch + 1, loss, samplesPerSecond * Double(perSample), Self.duration(eta))
        }
        if mode == .redraw {
            lastDraw = now
            print("\r\u{1B}[2K" + line, terminator: done == totalSteps ? "\n" : "")
        } else {
            print(line)
        }
        fflush(nil)
    }

    /// Prints a line that must not be overwritten by the next redraw.
    func message(_ text: String) {
        guard mode != .silent else { return }
        print((mode == .redraw ? "\r\u{1B}[2K" : "") + text)
        fflush(nil)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}

import Testing

@Suite struct CommandLineErrorTests {
    @Test func unknownSubcommandIsNamed() throws {
        let result = try ShoalProcess.run(["trian"])
        #expect(result.status != 0)
        #expect(result.error.contains("Unexpected argument 'trian'"), "\(result.combined)")
        #expect(result.error.contains("shoal --help"))
    }

    @Test func badFlagIsNamed() throws {
        let result = try ShoalProcess.run(["bench", "allreduce", "--frobnicate"])
        #expect(result.status != 0)
        #expect(result.error.contains("Unknown option '--frobnicate'"), "\(result.combined)")
    }

    @Test func badFlagValueIsExplained() throws {
        let result = try ShoalProcess.run(["bench", "allreduce", "--sizes", "lots"])
        #expect(result.status != 0)
        #expect(result.error.contains("cannot read size 'lots'"), "\(result.combined)")
        let dtype = try ShoalProcess.run(["bench", "allreduce", "--dtype", "half"])
        #expect(dtype.error.contains("half"), "\(dtype.combined)")
    }
}

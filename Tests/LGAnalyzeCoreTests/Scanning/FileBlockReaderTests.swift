import Foundation
import LGAnalyzeCore
import Testing

/// Reading a file in blocks gives back exactly its bytes, in blocks of the size asked for.
@Suite struct FileBlockReaderTests {
  private static func blocks(of bytes: [UInt8], size: Int) throws -> [[UInt8]] {
    let folder = try RobustnessFixtures.scratchFolder("blocks")
    defer { RobustnessFixtures.removeScratch(folder) }
    let path = try RobustnessFixtures.write(bytes, named: "input", in: folder)
    var reader = try FileBlockReader(path: path, blockSize: size)
    var blocks: [[UInt8]] = []
    while let block = try reader.next() { blocks.append(block) }
    // Once finished, it stays finished.
    #expect(try reader.next() == nil)
    return blocks
  }

  @Test(arguments: [0, 1, 4095, 4096, 4097, 3 * 4096, 100_003])
  func theBlocksJoinToTheFile(length: Int) throws {
    var generator = SeededGenerator(seed: UInt64(length) + 1)
    let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let blocks = try Self.blocks(of: bytes, size: 4096)
    #expect(Array(blocks.joined()) == bytes)
    #expect(blocks.dropLast().allSatisfy { $0.count == 4096 })
    #expect(blocks.allSatisfy { !$0.isEmpty })
    #expect(blocks.count == (length + 4095) / 4096)
  }

  @Test func aMissingFileIsAnErrorThatSaysWhy() {
    do {
      _ = try FileBlockReader(path: "/nonexistent/lganalyze-capture.sse", blockSize: 4096)
      Issue.record("opened a file that does not exist")
    } catch {
      #expect(error.description.contains("No such file"), "\(error.description)")
    }
  }

  @Test func aDirectoryCannotBeReadAsAFile() throws {
    let folder = try RobustnessFixtures.scratchFolder("blocks-directory")
    defer { RobustnessFixtures.removeScratch(folder) }
    #expect(throws: FileBlockReader.Failure.self) {
      var reader = try FileBlockReader(path: folder.path, blockSize: 4096)
      _ = try reader.next()
    }
  }
}

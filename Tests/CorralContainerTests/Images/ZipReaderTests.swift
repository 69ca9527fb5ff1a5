import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// Zip archives, built by Python's `zipfile` (and a ZIP64 one by hand), extracted as fetched
/// task files are: stored and deflated members, Unix modes, nothing outside the directory.
@Suite struct ZipReaderTests {
    private func archive(_ kind: String, in temporary: TemporaryDirectory) throws -> String {
        let path = temporary.path + "/\(kind).zip"
        _ = try ImageTestSupport.run("/usr/bin/python3", ["-c", Self.maker, kind, path])
        return path
    }

    private func extracted(_ kind: String) throws -> (TemporaryDirectory, String) {
        let temporary = try TemporaryDirectory()
        let zip = try archive(kind, in: temporary)
        let target = temporary.path + "/out"
        try Syscall.makeDirectories(target)
        try ArchiveExtractor.extract(zip, into: target)
        return (temporary, target)
    }

    private func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    private func mode(_ path: String) throws -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw ContainerError(.notFound, "\(path) is missing") }
        return info.st_mode
    }

    @Test func storedAndDeflatedMembersAreExtractedWithTheirModes() throws {
        let (temporary, out) = try extracted("good")
        defer { temporary.remove() }
        #expect(ArchiveExtractor.handles("bundle.zip"))
        #expect(text(out + "/stored.txt") == "stored\n")
        #expect(text(out + "/dir/deflated.txt") == String(repeating: "deflate me ", count: 1000))
        #expect(text(out + "/bin/tool") == "#!/bin/sh\necho tool\n")
        #expect(text(out + "/plain.txt") == "no unix mode")
        #expect(try mode(out + "/bin/tool") & 0o777 == 0o755)
        #expect(try mode(out + "/dir/deflated.txt") & 0o777 == 0o600)
        #expect(try mode(out + "/empty") & S_IFMT == S_IFDIR)
        // Like tar in `extract`, only plain files and directories are written: no symlink.
        #expect((try? mode(out + "/link")) == nil)
        var info = stat()
        #expect(stat(out + "/stored.txt", &info) == 0 && info.st_mtim.tv_sec == 1_714_979_290)
    }

    @Test func zip64SizesAndOffsetsAreRead() throws {
        let (temporary, out) = try extracted("zip64")
        defer { temporary.remove() }
        #expect(text(out + "/big.txt") == "zip64 content\n")
    }

    @Test(arguments: [("escape", "'..'"), ("absolute", "absolute path")])
    func membersOutsideTheDirectoryAreRefused(kind: String, reason: String) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let zip = try archive(kind, in: temporary)
        let target = temporary.path + "/deep/out"
        try Syscall.makeDirectories(target)
        #expect {
            try ArchiveExtractor.extract(zip, into: target)
        } throws: { error in
            "\(error)".contains(reason)
        }
        #expect((try? mode(temporary.path + "/deep/evil.txt")) == nil)
        #expect((try? mode("/tmp/corral-zip-absolute.txt")) == nil)
    }

    @Test(arguments: [("corrupt", "CRC-32"), ("bzip2", "compression method 12")])
    func damagedOrUnsupportedMembersFailWithTheReason(kind: String, reason: String) throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let zip = try archive(kind, in: temporary)
        let target = temporary.path + "/out"
        try Syscall.makeDirectories(target)
        #expect {
            try ArchiveExtractor.extract(zip, into: target)
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains(zip)
        }
    }

    @Test func aTruncatedArchiveIsNotAZipArchive() throws {
        let temporary = try TemporaryDirectory()
        defer { temporary.remove() }
        let zip = try archive("good", in: temporary)
        let bytes = try Syscall.readFile(zip)
        try Syscall.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: zip)
        let target = temporary.path + "/out"
        try Syscall.makeDirectories(target)
        #expect {
            try ArchiveExtractor.extract(zip, into: target)
        } throws: { error in
            "\(error)".contains("end of central directory")
        }
    }

    /// Writes a zip archive of a kind (`good`, `escape`, `absolute`, `corrupt`, `bzip2`, `zip64`).
    static let maker = #"""
import stat, struct, sys, zipfile, zlib

kind, out = sys.argv[1], sys.argv[2]

def info(name, mode):
    entry = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
    entry.external_attr = mode << 16
    entry.create_system = 3
    return entry

if kind == "good":
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(info("stored.txt", stat.S_IFREG | 0o644), "stored\n", zipfile.ZIP_STORED)
        archive.writestr(info("dir/deflated.txt", stat.S_IFREG | 0o600), "deflate me " * 1000, zipfile.ZIP_DEFLATED)
        archive.writestr(info("bin/tool", stat.S_IFREG | 0o755), "#!/bin/sh\necho tool\n", zipfile.ZIP_DEFLATED)
        archive.writestr(info("empty/", stat.S_IFDIR | 0o755), "")
        archive.writestr(info("link", stat.S_IFLNK | 0o777), "stored.txt")
        archive.writestr(zipfile.ZipInfo("plain.txt"), "no unix mode")
elif kind in ("escape", "absolute"):
    name = "../evil.txt" if kind == "escape" else "/tmp/corral-zip-absolute.txt"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("fine.txt", "fine")
        archive.writestr(zipfile.ZipInfo(name), "evil")
elif kind == "corrupt":
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.txt", "the original content", zipfile.ZIP_STORED)
    data = bytearray(open(out, "rb").read())
    at = data.index(b"the original content")
    data[at] ^= 0x20
    open(out, "wb").write(bytes(data))
elif kind == "bzip2":
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.txt", "bzip2 content", zipfile.ZIP_BZIP2)
elif kind == "zip64":
    # A stored member whose sizes and offset live only in ZIP64 extra fields, and a ZIP64
    # end of central directory, as a writer does past 4 GiB.
    data, name = b"zip64 content\n", b"big.txt"
    crc = zlib.crc32(data)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 20)
    local += name + struct.pack("<HHQQ", 1, 16, len(data), len(data))
    body = local + data
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
        len(name), 28, 0, 0, 0, (stat.S_IFREG | 0o644) << 16, 0xFFFFFFFF)
    central += name + struct.pack("<HHQQQ", 1, 24, len(data), len(data), 0)
    end64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central), len(body))
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(body) + len(central), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    open(out, "wb").write(body + central + end64 + locator + end)
else:
    sys.exit("unknown kind " + kind)
"""#
}

import CorralContainer

/// Valid layers, OCI documents and registry requests the image targets start from.
enum ImageSeeds {
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] { try ImageInputs.gzip(bytes) }

    static var tars: [[UInt8]] {
        [
            tar([
                member("etc/", flag: "5"), member("etc/hostname", content: "box\n"),
                member("bin/sh", flag: "2", link: "busybox"), member("bin/busybox", content: "#!x"),
                member("bin/ls", flag: "1", link: "bin/busybox"),
            ]),
            tar([
                member("usr/", flag: "5"), member("usr/.wh.old", content: ""), member("var/.wh..wh..opq", content: ""),
                pax(["path": "usr/" + String(repeating: "long", count: 40), "mtime": "1700000000.5", "SCHILY.xattr.user.a": "b"]),
                member("placeholder", content: "pax body"),
            ]),
            tar([member("././@LongLink", flag: "L", content: "deep/" + String(repeating: "n", count: 120) + "\0"),
                member("short", content: "gnu long name")]),
        ]
    }

    static let documents = [
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"#
            + #""mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:"# + String(repeating: "a", count: 64)
            + #"","size":123},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:"#
            + String(repeating: "b", count: 64) + #"","size":4096,"annotations":{"k":"v"}}]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"#
            + #""application/vnd.oci.image.manifest.v1+json","digest":"sha256:"# + String(repeating: "c", count: 64)
            + #"","size":500,"platform":{"architecture":"amd64","os":"linux"}}]}"#,
        #"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"User":"1000:1000","#
            + #""ExposedPorts":{"80/tcp":{}},"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:"#
            + String(repeating: "d", count: 64) + #""]},"history":[{"created_by":"x","empty_layer":true}]}"#,
    ]

    static let requests = [
        "/v2/library/busybox/manifests/latest\nn=10&last=a%2Fb\n0-99\n100",
        "/v2/team/app/blobs/sha256:" + String(repeating: "e", count: 64) + "\n\n0-1023\n1024",
        "/v2/a/b/c/blobs/uploads/0f3c-11\ndigest=sha256%3Aabc\n\n",
        "/v2/_catalog\nn=2",
        "/v2/x/tags/list",
    ]

    // MARK: - A small ustar writer, so seeds can hold every member kind

    private static func tar(_ members: [[UInt8]]) -> [UInt8] {
        members.flatMap { $0 } + [UInt8](repeating: 0, count: 1024)
    }

    private static func pax(_ records: [String: String]) -> [UInt8] {
        var body = ""
        for (key, value) in records.sorted(by: { $0.key < $1.key }) {
            let rest = " \(key)=\(value)\n"
            var length = rest.utf8.count + 1
            while String(length).utf8.count + rest.utf8.count != length { length += 1 }
            body += "\(length)\(rest)"
        }
        return member("PaxHeaders/x", flag: "x", content: body)
    }

    private static func member(_ name: String, flag: Character = "0", link: String = "", content: String = "") -> [UInt8] {
        let data = Array(content.utf8)
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(flag == "5" ? 0o755 : 0o644, at: 100, width: 8)
        octal(1000, at: 108, width: 8)
        octal(1000, at: 116, width: 8)
        octal(data.count, at: 124, width: 12)
        octal(1_700_000_000, at: 136, width: 12)
        header[156] = flag.asciiValue ?? 0x30
        put(link, at: 157, width: 100)
        put("ustar\u{0}00", at: 257, width: 8)
        put(String(repeating: " ", count: 8), at: 148, width: 8)
        octal(header.reduce(0) { $0 + Int($1) }, at: 148, width: 7)
        let padding = (512 - data.count % 512) % 512
        return header + data + [UInt8](repeating: 0, count: padding)
    }
}

import CXattr
import Glibc

extension Syscall {
    /// The value of extended attribute `name` on `path` (not following symlinks), or nil when unset.
    static func extendedAttribute(_ path: String, _ name: String) throws -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: 4096)
        let capacity = value.count
        let count = lgetxattr(path, name, &value, capacity)
        if count >= 0 { return Array(value[0..<count]) }
        if errno == ENODATA || errno == ENOTSUP { return nil }
        throw ContainerError.errno("getxattr(\(name))", path)
    }
}

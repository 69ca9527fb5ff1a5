#ifndef CPOWERLOSSDOUBLE_H
#define CPOWERLOSSDOUBLE_H

/*
 * A test double for the disk under power loss, loaded with LD_PRELOAD into a child process.
 *
 * It interposes the calls that write or sync files (open, write, pwrite, writev, pwritev,
 * ftruncate, fsync, fdatasync, msync, mmap) and, for files under the directory named by
 * CORRAL_POWER_LOSS_DIR, appends one record per call to the journal named by
 * CORRAL_POWER_LOSS_JOURNAL: the bytes a write replaced, the bytes it wrote, the file size
 * before and after, and every sync. A test reads the journal after killing the child and
 * undoes any chosen subset of the writes made since each file's last sync: what a power loss
 * may do to a file system that keeps each write whole (see PowerLossJournal in the tests).
 *
 * Record layout (native byte order): kind (1 byte), path length (u32), path, offset (u64),
 * size before (u64), size after (u64), old length (u64), old bytes, new length (u64), new bytes.
 */

/// The record kinds, as the first byte of each record.
enum {
    /// A write that a power loss may undo (until the next sync of its file).
    corral_power_loss_write = 'W',
    /// A write through a descriptor opened with O_SYNC or O_DSYNC: durable when it returns.
    corral_power_loss_durable_write = 'D',
    /// A change of the file's size (ftruncate); undone like a write.
    corral_power_loss_truncate = 'T',
    /// fsync, fdatasync or a synchronous msync: every earlier write to the file is durable.
    corral_power_loss_sync = 'S',
    /// A shared writable mapping: writes through it cannot be journaled.
    corral_power_loss_mapping = 'M',
    /// A call the double cannot model (the new bytes say which); the test must fail.
    corral_power_loss_unmodeled = 'U',
};

#endif

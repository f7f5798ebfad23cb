package io.statespace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output's safety rules without Spark: overlap with inputs (normalised, through links and globs),
 * what --overwrite may replace, and the sweep of staging directories left by killed runs.
 */
class AtomicOutputTest {
  @TempDir Path dir;
  private final Configuration conf = new Configuration();

  private static String uri(Path p) {
    return p.toAbsolutePath().toUri().toString();
  }

  private AtomicOutput.OutputException refused(String output, boolean overwrite, String... inputs) {
    return assertThrows(AtomicOutput.OutputException.class, () -> AtomicOutput.checkTarget(output, overwrite, conf, inputs));
  }

  @Test
  void overlapIsFoundThroughDotsLinksAndGlobs() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("a.csv"), "id,t,x\n");
    assertTrue(refused(dir + "/data/../data", false, data.toString()).getMessage().contains("is the input"));
    assertTrue(refused(dir + "/data/./sub/..//", true, data.toString()).getMessage().contains("is the input"));
    assertTrue(refused(data.resolve("out").toString(), false, data.toString()).getMessage().contains("lies inside the input"));
    assertTrue(refused(dir.toString(), true, data.resolve("a.csv").toString()).getMessage().contains("contains the input"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), data);
    AtomicOutput.OutputException viaLink = refused(link.resolve("new").toString(), false, data.toString());
    assertTrue(viaLink.getMessage().contains("lies inside the input"), viaLink.getMessage());
    assertTrue(refused(dir.resolve("data").toString(), true, link + "/*.csv").getMessage().contains("contains the input"));
    String globbed = refused(data.toString(), false, dir + "/d?ta/a.csv").getMessage();
    assertTrue(globbed.contains("contains the input file:" + data.resolve("a.csv")), "a glob is compared through what it matches: " + globbed);
    assertTrue(refused(uri(data), true, data.toString()).getMessage().contains("is the input"), "file: URI and plain path");
    AtomicOutput.checkTarget(dir.resolve("data2").toString(), false, conf, data.toString(), data + "/*.csv");
    AtomicOutput.checkTarget(dir.resolve("dat").toString(), false, conf, data.toString());
  }

  @Test
  void overwriteReplacesOnlyDirectoriesThisProjectWrote() throws IOException {
    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("notes.txt"), "keep me");
    AtomicOutput.OutputException e = refused(foreign.toString(), true);
    assertTrue(e.getMessage().contains("was not written by statespace"), e.getMessage());
    Path file = Files.writeString(dir.resolve("file.csv"), "x");
    assertTrue(refused(file.toString(), true).getMessage().contains("is a file"));
    AtomicOutput.checkTarget(Files.createDirectories(dir.resolve("empty")).toString(), true, conf);

    AtomicOutput first = AtomicOutput.open(dir.resolve("out").toString(), false, conf);
    first.writeText("report.json", "{}");
    first.commit();
    assertTrue(Files.isRegularFile(dir.resolve("out").resolve(AtomicOutput.MARKER)));
    assertFalse(Files.exists(dir.resolve("out").resolve(StagingOwner.FILE)), "the heartbeat is not committed");
    AtomicOutput second = AtomicOutput.open(dir.resolve("out").toString(), true, conf);
    second.writeText("report.json", "{\"second\": true}");
    second.commit();
    assertEquals("{\"second\": true}", Files.readString(dir.resolve("out").resolve("report.json")));

    Files.delete(dir.resolve("out").resolve(AtomicOutput.MARKER));
    AtomicOutput.checkTarget(dir.resolve("out").toString(), true, conf);
    Files.delete(dir.resolve("out").resolve("_SUCCESS"));
    assertTrue(refused(dir.resolve("out").toString(), true).getMessage().contains("was not written by statespace"),
        "report.json alone does not make a directory ours");
  }

  @Test
  void staleStagingDirectoriesAreRemovedAndLiveOnesKept() throws Exception {
    FileSystem fs = FileSystem.getLocal(conf);
    Path target = dir.resolve("out");
    long now = System.currentTimeMillis();
    StagingOwner self = StagingOwner.current();
    Path silent = staging(fs, "silent", new StagingOwner("elsewhere", 1, 1, now - StagingOwner.STALE_MILLIS - 1000));
    Path live = staging(fs, "live", new StagingOwner("elsewhere", 1, 1, now - 1000));
    Path liveHere = staging(fs, "live-here", new StagingOwner(self.host(), self.pid(), self.processStart(),
        now - 5 * StagingOwner.HEARTBEAT_MILLIS));
    Process ended = new ProcessBuilder("true").start();
    assertTrue(ended.waitFor(20, TimeUnit.SECONDS));
    long endedStart = ended.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    Path dead = staging(fs, "dead", new StagingOwner(self.host(), ended.pid(), endedStart,
        now - 3 * StagingOwner.HEARTBEAT_MILLIS));
    Path deadButRecent = staging(fs, "dead-recent", new StagingOwner(self.host(), ended.pid(), endedStart, now));
    Path legacy = Files.createDirectories(dir.resolve(".out.tmp-legacy"));
    Path other = Files.createDirectories(dir.resolve(".outer.tmp-x"));

    AtomicOutput out = AtomicOutput.open(target.toString(), false, conf);
    try {
      assertFalse(Files.exists(silent), "heartbeat older than the limit");
      assertFalse(Files.exists(dead), "its process ended on this host");
      assertTrue(Files.exists(live), "a heartbeat from another host within the limit");
      assertTrue(Files.exists(liveHere), "its process is alive");
      assertTrue(Files.exists(deadButRecent), "a recent heartbeat is never overruled by a process id");
      assertTrue(Files.exists(legacy), "no heartbeat: not provably stale");
      assertTrue(Files.exists(other), "another output's staging directory");
      assertEquals(2, out.sweep().removed().size(), out.sweep().toString());
      assertEquals(4, out.sweep().kept().size(), out.sweep().toString());
      assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(out.staging())).resolve(StagingOwner.FILE)),
          "the run's own staging directory carries a heartbeat");
      assertNull(StagingOwner.read(fs, new org.apache.hadoop.fs.Path(out.staging())).orElseThrow().goneBecause(System.currentTimeMillis()));
    } finally {
      out.abortQuietly();
    }
    assertFalse(Files.exists(Path.of(java.net.URI.create(out.staging()))), "abort removes the staging directory");
  }

  @Test
  void aStagingDirectoryThatHoldsAnInputIsNeverSwept() throws Exception {
    FileSystem fs = FileSystem.getLocal(conf);
    Path stale = staging(fs, "old", new StagingOwner("elsewhere", 1, 1, 0));
    Path input = Files.writeString(stale.resolve("in.csv"), "id,t,x\n");
    AtomicOutput out = AtomicOutput.open(dir.resolve("out").toString(), false, conf, input.toString());
    out.abortQuietly();
    assertEquals("id,t,x\n", Files.readString(input));
  }

  private Path staging(FileSystem fs, String name, StagingOwner owner) throws IOException {
    Path p = Files.createDirectories(dir.resolve(".out.tmp-" + name));
    Files.writeString(p.resolve("part-0"), "data");
    StagingOwner.write(fs, new org.apache.hadoop.fs.Path(p.toUri()), owner);
    return p;
  }
}

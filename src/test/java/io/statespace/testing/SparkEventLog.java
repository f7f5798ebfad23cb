package io.statespace.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The task-level history of a finished application, read from its Spark event log (one JSON event a line;
 * {@code spark.eventLog.enabled=true}, {@code spark.eventLog.compress=false},
 * {@code spark.eventLog.rolling.enabled=false}, since Spark 4 rolls by default): which stage ended a job
 * and how each task attempt ended. Evidence that does not depend on a log line's wording.
 */
public final class SparkEventLog {
  /** One finished task attempt: its stage, the partition it computed, the executor, and why it ended. */
  public record TaskEnd(int stage, int stageAttempt, int partition, int attempt, String executor, String reason) {}

  private final List<JsonNode> events;

  private SparkEventLog(List<JsonNode> events) {
    this.events = events;
  }

  /** Reads the single event log under {@code dir} (searched recursively, status markers ignored). */
  public static SparkEventLog read(Path dir) throws IOException {
    List<Path> files;
    try (var list = Files.walk(dir)) {
      files = list.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("appstatus")).toList();
    }
    if (files.size() != 1) throw new IllegalStateException("expected one event log in " + dir + ", found " + files);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(files.get(0))) {
      if (!line.isBlank()) events.add(json.readTree(line));
    }
    return new SparkEventLog(events);
  }

  /**
   * The result stage (the highest stage id of its job) of every job whose description contains {@code text}:
   * in the smooth job, the stage of the states write, which runs the engine.
   */
  public List<Integer> resultStagesOfJobs(String text) {
    List<Integer> out = new ArrayList<>();
    for (JsonNode e : events) {
      if (!e.path("Event").asText().equals("SparkListenerJobStart")
          || !e.path("Properties").path("spark.job.description").asText("").contains(text)) {
        continue;
      }
      int last = -1;
      for (JsonNode id : e.path("Stage IDs")) last = Math.max(last, id.asInt());
      if (last >= 0 && !out.contains(last)) out.add(last);
    }
    return out;
  }

  /** Every task end, in the order the driver saw them. */
  public List<TaskEnd> taskEnds() {
    List<TaskEnd> out = new ArrayList<>();
    for (JsonNode e : events) {
      if (!e.path("Event").asText().equals("SparkListenerTaskEnd")) continue;
      JsonNode info = e.path("Task Info");
      int partition = info.has("Partition ID") && info.path("Partition ID").asInt(-1) >= 0
          ? info.path("Partition ID").asInt() : info.path("Index").asInt();
      out.add(new TaskEnd(e.path("Stage ID").asInt(), e.path("Stage Attempt ID").asInt(), partition,
          info.path("Attempt").asInt(), info.path("Executor ID").asText(), e.path("Task End Reason").path("Reason").asText()));
    }
    return out;
  }
}

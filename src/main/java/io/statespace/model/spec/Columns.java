package io.statespace.model.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Which input columns hold the trajectory id, the time, each observed component and each input. */
public final class Columns implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final String time;
  private final List<String> observations;
  private final List<String> inputs;

  public Columns(String id, String time, List<String> observations, List<String> inputs) {
    this.id = id;
    this.time = time;
    this.observations = List.copyOf(observations);
    this.inputs = List.copyOf(inputs);
  }

  public String id() {
    return id;
  }

  public String time() {
    return time;
  }

  public List<String> observations() {
    return observations;
  }

  public List<String> inputs() {
    return inputs;
  }

  /** Every column the engine reads, in the order id, time, observations, inputs. */
  public List<String> all() {
    List<String> all = new ArrayList<>();
    all.add(id);
    all.add(time);
    all.addAll(observations);
    all.addAll(inputs);
    return all;
  }

  /** A copy with the given names replaced where non-null (command-line overrides). */
  public Columns withOverrides(String newId, String newTime, List<String> newObservations, List<String> newInputs) {
    return new Columns(newId != null ? newId : id, newTime != null ? newTime : time,
        newObservations != null ? newObservations : observations, newInputs != null ? newInputs : inputs);
  }
}

package io.statespace.testing;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger writes while a test runs, as "LEVEL message" (log4j2, the backend the tests and Spark
 * use); only what the logger's configured level lets through is captured (INFO and above for io.statespace).
 * Close it to detach.
 */
public final class LogCapture implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final AbstractAppender appender;

  private LogCapture(Class<?> source) {
    this.logger = (Logger) LogManager.getLogger(source);
    this.appender = new AbstractAppender("capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing the logger of {@code source}. */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(source);
  }

  /** The lines so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines at {@code level} containing {@code text}. */
  public List<String> lines(Level level, String text) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(text)).toList();
  }

  @Override
  public void close() {
    logger.removeAppender(appender);
    appender.stop();
  }
}

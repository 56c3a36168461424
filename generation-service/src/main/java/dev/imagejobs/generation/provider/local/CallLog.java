package dev.imagejobs.generation.provider.local;

import dev.imagejobs.generation.provider.GenerationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The local provider's record of its calls: a line when a call starts and one when it ends, appended
 * with one write each to a file every instance shares ({@code O_APPEND}), so lines never interleave
 * and a killed process loses none it wrote. {@code start <pid> <job> <run> <attempt>} and
 * {@code end <pid> <job> <run> <attempt> ok|failed}: a start without an end is a call its process
 * did not live to finish. The call of variant v &gt; 1 of a job of several names its attempt
 * {@code <attempt>/<v>}, so each call of an attempt is told apart.
 */
final class CallLog {
  private final FileChannel file;
  private final long pid = ProcessHandle.current().pid();

  CallLog(Path path) {
    try {
      file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the local provider's call log " + path, e);
    }
  }

  void started(GenerationRequest request) {
    append("start " + pid + " " + request.jobId() + " " + request.run() + " " + attempt(request));
  }

  void ended(GenerationRequest request, boolean ok) {
    append("end " + pid + " " + request.jobId() + " " + request.run() + " " + attempt(request) + (ok ? " ok" : " failed"));
  }

  private static String attempt(GenerationRequest request) {
    return request.variant() == 1 ? Integer.toString(request.attempt()) : request.attempt() + "/" + request.variant();
  }

  private void append(String line) {
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (bytes.hasRemaining()) {
        file.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot append to the local provider's call log", e);
    }
  }
}

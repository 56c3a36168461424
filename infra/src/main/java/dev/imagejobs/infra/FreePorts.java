package dev.imagejobs.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Picks free local ports for the settings that ask for {@code 0}. */
final class FreePorts {

  private FreePorts() {}

  /**
   * Returns {@code ports} with each {@code 0} replaced by a free port. All sockets stay open until
   * every port is chosen, so two zeros never get the same port; another process may still take a
   * port before the stack binds it, which a start-up failure then reports.
   */
  static int[] resolve(int... ports) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] resolved = ports.clone();
      for (int i = 0; i < resolved.length; i++) {
        if (resolved[i] == 0) {
          ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          sockets.add(socket);
          resolved[i] = socket.getLocalPort();
        }
      }
      return resolved;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // Closing an unused listening socket cannot lose anything.
        }
      }
    }
  }
}

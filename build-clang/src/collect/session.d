build-clang/src/collect/session.o: src/collect/session.c \
  src/collect/session.h src/collect/events.h src/collect/kparse.h \
  src/collect/launch.h src/collect/permissions.h src/collect/ring.h \
  src/collect/synth.h src/profile/format.h src/util/die.h \
  src/util/strbuf.h src/util/vec.h

src/collect/session.h:

src/collect/events.h:

src/collect/kparse.h:

src/collect/launch.h:

src/collect/permissions.h:

src/collect/ring.h:

src/collect/synth.h:

src/profile/format.h:

src/util/die.h:

src/util/strbuf.h:

src/util/vec.h:

build-clang/src/collect/counters.o: src/collect/counters.c \
  src/collect/counters.h src/collect/events.h src/collect/launch.h \
  src/collect/permissions.h src/util/die.h

src/collect/counters.h:

src/collect/events.h:

src/collect/launch.h:

src/collect/permissions.h:

src/util/die.h:

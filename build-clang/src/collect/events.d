build-clang/src/collect/events.o: src/collect/events.c \
  src/collect/events.h src/util/die.h src/util/vec.h

src/collect/events.h:

src/util/die.h:

src/util/vec.h:

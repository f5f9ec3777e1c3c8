build-clang/src/render/report.o: src/render/report.c src/render/report.h \
  src/profile/model.h src/util/hashmap.h src/util/vec.h src/util/die.h

src/render/report.h:

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:

#include <iostream>
using namespace std;
int main() {
    int L, R;
    cin >> L >> R;
    long long cnt = 0;
    for (int v = L; v <= R; v++)
        for (int x = v; x > 0; x /= 10)
            if (x % 10 == 2) cnt++;
    cout << cnt << "\n";
    return 0;
}

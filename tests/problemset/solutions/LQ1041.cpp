#include <iostream>
#include <algorithm>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long prev = 0;
    int cur = 0, best = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        if (i > 0 && x > prev) cur++;
        else cur = 1;
        best = max(best, cur);
        prev = x;
    }
    cout << best << "\n";
    return 0;
}
